/** Retry and Catch: which retrier or catcher an error meets, and how long a retrier waits. */
import type { Catcher, Retrier } from './asl-types.ts';
import { DEFAULT_BACKOFF_RATE, DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_ATTEMPTS, STATES_ERRORS } from './constants.ts';

/**
 * Whether an ErrorEquals list covers an error: the name itself; `States.ALL` covers every error except
 * `States.Runtime`; `States.TaskFailed` covers every error except `States.Timeout` (and `States.Runtime`).
 */
export function errorMatches(errorEquals: readonly string[], errorName: string): boolean {
  if (errorEquals.includes(errorName)) return true;
  if (errorName === STATES_ERRORS.Runtime) return false;
  if (errorEquals.includes(STATES_ERRORS.ALL)) return true;
  return errorEquals.includes(STATES_ERRORS.TaskFailed) && errorName !== STATES_ERRORS.Timeout;
}

/** The index of the first retrier whose ErrorEquals covers the error, or -1. */
export function findRetrier(retriers: readonly Retrier[] | undefined, errorName: string): number {
  return (retriers ?? []).findIndex((r) => errorMatches(r.ErrorEquals, errorName));
}

/** The first catcher whose ErrorEquals covers the error. */
export function findCatcher(catchers: readonly Catcher[] | undefined, errorName: string): Catcher | undefined {
  return (catchers ?? []).find((c) => errorMatches(c.ErrorEquals, errorName));
}

/** Whether a retrier may try again after `attemptsSoFar` retries. */
export function canRetry(retrier: Retrier, attemptsSoFar: number): boolean {
  return attemptsSoFar < (retrier.MaxAttempts ?? DEFAULT_MAX_ATTEMPTS);
}

/**
 * Milliseconds before retry number `attemptsSoFar + 1`: IntervalSeconds × BackoffRate^attemptsSoFar,
 * capped by MaxDelaySeconds. JitterStrategy FULL takes a uniform share of it (`random` is injectable).
 */
export function retryDelayMs(retrier: Retrier, attemptsSoFar: number, random: () => number = Math.random): number {
  const interval = retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  const backoff = retrier.BackoffRate ?? DEFAULT_BACKOFF_RATE;
  let seconds = interval * backoff ** attemptsSoFar;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds *= random();
  return Math.round(seconds * 1000);
}
