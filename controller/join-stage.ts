/**
 * Joining the stage, once more after a failed attempt, within one deadline.
 *
 * The IVS web SDK leaves it to the application to call `join()` again when a join fails (its state goes
 * `errored`): a network blip, a peer connection that did not come up. The controller's page makes a new
 * Stage for each attempt. A second attempt gets what is left of the deadline; a failure that would fail again
 * (a refused token) costs one more round trip, and the second error is the one reported.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { JOIN_RETRY_WARNING } from './retry-warnings.ts';

/** Attempts in all. */
export const JOIN_ATTEMPTS = 2;

/** Joins with `attempt(timeoutMs)`, trying once more on a failure while time is left before `deadlineMs`. */
export async function joinStage<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  options: { deadlineMs: number; logger: Logger; now?: () => number },
): Promise<T> {
  const now = options.now ?? Date.now;
  for (let tried = 1; ; tried++) {
    try {
      return await attempt(Math.max(0, options.deadlineMs - now()));
    } catch (error) {
      if (tried >= JOIN_ATTEMPTS || options.deadlineMs - now() <= 0) throw error;
      options.logger.warn(JOIN_RETRY_WARNING, { reason: (error as Error).message, attempt: tried });
    }
  }
}
