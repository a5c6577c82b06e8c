/** Creating a session: the record first (STARTING), then the lifecycle execution named after it. */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DUCKING, DEFAULT_EXECUTION_LIMITS, ENV, mergeDucking, type CreatedSessionView, type DuckingSettingsInput } from '#contract/index';
import { executionArnFor } from '#helpers/execution-arn-for';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { startSessionExecution } from '#helpers/start-session-execution';
import { logger, logSessionId } from '../powertools.ts';
import { releaseSessionSlot, reserveSessionStart } from '../rate-limits.ts';
import { deleteUnstartedSession, markSessionFinished, putNewSession } from '../sessions-repository.ts';

const stateMachineArn = getStringFromEnv(ENV.stateMachineArn);

/**
 * Writes the new session (STARTING), takes the host's rate limits and live slots (429 when refused: the record
 * is then deleted, nothing is left) and starts its execution; a failed start marks the record FAILED and gives
 * the live slots back. The record comes first so that a concurrent start never takes this one's slot for a
 * finished session's (live-session-slots.ts).
 */
export async function createSession(request: { hostId: string; title: string; ducking?: DuckingSettingsInput }): Promise<CreatedSessionView> {
  const sessionId = randomUUID();
  logSessionId(sessionId);
  const executionArn = executionArnFor(stateMachineArn, sessionId);
  const now = new Date().toISOString();
  await putNewSession({
    sessionId,
    hostId: request.hostId,
    title: request.title,
    status: 'STARTING',
    createdAt: now,
    updatedAt: now,
    executionArn,
    ...(request.ducking ? { ducking: mergeDucking(DEFAULT_DUCKING, request.ducking) } : {}),
  });
  try {
    await reserveSessionStart(request.hostId, sessionId);
  } catch (error) {
    await deleteUnstartedSession(sessionId).catch((deleteError: unknown) =>
      logger.error('Could not delete the refused session', { errorName: (deleteError as Error).name }),
    );
    throw error;
  }
  try {
    await startSessionExecution(stateMachineArn, { sessionId, hostId: request.hostId, limits: DEFAULT_EXECUTION_LIMITS });
  } catch (error) {
    await markSessionFinished(sessionId, 'FAILED', 'STEP_FAILED', 'The session lifecycle could not be started.').catch((markError: unknown) =>
      logger.error('Could not mark the session FAILED', { errorName: (markError as Error).name }),
    );
    await releaseSessionSlot(request.hostId, sessionId);
    throw error;
  }
  logger.info('Session created', { executionArn });
  return { sessionId, executionArn, status: 'STARTING' };
}
