/** Creating a session: the record first (STARTING), then the lifecycle execution named after it. */
import { randomUUID } from 'node:crypto';
import { DEFAULT_EXECUTION_LIMITS, ENV, type CreatedSessionView } from '#contract/index';
import { executionArnFor } from '#helpers/execution-arn-for';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { startSessionExecution } from '#helpers/start-session-execution';
import { logger, logSessionId } from '../powertools.ts';
import { releaseSessionSlot, reserveSessionStart } from '../rate-limits.ts';
import { markSessionFinished, putNewSession } from '../sessions-repository.ts';

const stateMachineArn = getStringFromEnv(ENV.stateMachineArn);

/**
 * Checks the host's rate limits (429 before anything is written), writes the new session and starts its
 * execution; a failed start marks the record FAILED and gives the live-session slot back.
 */
export async function createSession(request: { hostId: string; title: string }): Promise<CreatedSessionView> {
  const sessionId = randomUUID();
  logSessionId(sessionId);
  const executionArn = executionArnFor(stateMachineArn, sessionId);
  await reserveSessionStart(request.hostId, sessionId);
  const now = new Date().toISOString();
  try {
    await putNewSession({ sessionId, hostId: request.hostId, title: request.title, status: 'STARTING', createdAt: now, updatedAt: now, executionArn });
  } catch (error) {
    await releaseSessionSlot(request.hostId, sessionId);
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
