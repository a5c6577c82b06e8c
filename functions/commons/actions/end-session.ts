/**
 * Ending a session at the host's request. The record is marked ENDING with endRequested; then the open
 * callback of the execution is answered: OnAir succeeds with ENDED_BY_HOST, a wait for readiness fails with
 * Shelcaster.SessionEnded. With no callback open (a Lambda step is running) the history is looked at a few
 * more times; the steps themselves check endRequested, and the controller does when it gets its token.
 *
 * Ending is idempotent: a session already ENDING answers 202 again (and its callback is looked for again);
 * a session already ENDED or FAILED is a 409 SESSION_NOT_ACTIVE.
 */
import { STEP_ERRORS, type EndingSessionView, type OnAirEndedOutput } from '#contract/index';
import { sendTaskFailure } from '#helpers/send-task-failure';
import { sendTaskSuccess } from '#helpers/send-task-success';
import { answerOpenCallback, type AnswerOptions } from '../callbacks.ts';
import { SessionNotActiveError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { getOwnedSession, requestSessionEnd } from '../sessions-repository.ts';

/** How often and how quickly the history is looked at when no callback is open. */
export const END_SESSION_CALLBACK_SEARCH: Required<Pick<AnswerOptions, 'attempts' | 'delayMs'>> = { attempts: 5, delayMs: 1000 };

/** Marks the end and answers the open callback; returns the new status. */
export async function endSession(
  sessionId: string,
  hostId: string,
  options: AnswerOptions = {},
): Promise<EndingSessionView> {
  await getOwnedSession(sessionId, hostId);
  const session = await requestSessionEnd(sessionId);
  if (!session) throw new SessionNotActiveError('The session has already ended.');
  const answered = await answerOpenCallback(
    session.executionArn,
    async (callback) => {
      if (callback.kind === 'ON_AIR') {
        const output: OnAirEndedOutput = { reason: 'ENDED_BY_HOST' };
        await sendTaskSuccess(callback.taskToken, output);
      } else {
        await sendTaskFailure(callback.taskToken, STEP_ERRORS.SessionEnded, 'The host ended the session.');
      }
    },
    { ...END_SESSION_CALLBACK_SEARCH, ...options },
  );
  logger.info('Session end requested', { callbackAnswered: answered ?? 'none open' });
  return { sessionId, status: 'ENDING' };
}
