/**
 * Creating a session: the record first (STARTING), then the lifecycle execution named after it.
 *
 * A process can die after writing the record and before (or while) starting the execution: a crash, a
 * timeout. With an Idempotency-Key the session's id is derived from the request (keyed-ids.ts), so the
 * host's retry finds the record the dead attempt left and completes the start: still STARTING with the same
 * request, its live slots are taken again (a slot the session holds already counts as taken) and its
 * execution is started with the same name and input, which Step Functions answers with the running execution
 * when the dead attempt had started it (StartExecution is idempotent for the same name and input while the
 * execution is open). A session past STARTING is answered as it is. Without a key (or without a retry), a dead
 * attempt's session is STARTING without an execution until a start that finds the live slots full records it
 * FAILED (helpers/abandoned-session-start.ts); a retry takes the start over first (`startAttemptAt`) so
 * that this never happens to a start it is completing.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  DEFAULT_DUCKING,
  DEFAULT_EXECUTION_LIMITS,
  ENV,
  mergeDucking,
  type CreatedSessionView,
  type DuckingSettingsInput,
  type SessionRecord,
} from '#contract/index';
import { executionArnFor } from '#helpers/execution-arn-for';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';
import { startSessionExecution } from '#helpers/start-session-execution';
import { ConflictError } from '../errors.ts';
import { logger, logSessionId } from '../powertools.ts';
import { releaseSessionSlot, reserveSessionStart, takeSessionSlots } from '../rate-limits.ts';
import { sessionIdFor } from '../keyed-ids.ts';
import { claimSessionStart, deleteUnstartedSession, getSession, markSessionFinished, putNewSession } from '../sessions-repository.ts';

const stateMachineArn = getStringFromEnv(ENV.stateMachineArn);

/** A host's request to start a show; `idempotencyKey` is the request's Idempotency-Key header, when it has one. */
export interface CreateSessionRequest {
  hostId: string;
  title: string;
  ducking?: DuckingSettingsInput;
  idempotencyKey?: string;
}

/**
 * Writes the new session (STARTING), takes the host's rate limits and live slots (429 when refused: the record
 * is then deleted, nothing is left) and starts its execution; a failed start marks the record FAILED and gives
 * the live slots back. The record comes first so that a concurrent start never takes this one's slot for a
 * finished session's (live-session-slots.ts). A keyed request whose session is already recorded goes on from
 * that record.
 */
export async function createSession(request: CreateSessionRequest): Promise<CreatedSessionView> {
  const sessionId = sessionIdFor(request);
  logSessionId(sessionId);
  const keyed = request.idempotencyKey !== undefined;
  if (keyed) {
    const earlier = await getSession(sessionId);
    if (earlier) return resumeRecordedSession(earlier, request);
  }
  const now = new Date().toISOString();
  const record: SessionRecord = {
    sessionId,
    hostId: request.hostId,
    title: request.title,
    status: 'STARTING',
    createdAt: now,
    updatedAt: now,
    startAttemptAt: now,
    executionArn: executionArnFor(stateMachineArn, sessionId),
    ...(request.ducking ? { ducking: mergeDucking(DEFAULT_DUCKING, request.ducking) } : {}),
  };
  try {
    await putNewSession(record);
  } catch (error) {
    // Only a keyed id can be taken: by an attempt with the same key that got there first.
    const earlier = keyed && isConditionFailed(error) ? await getSession(sessionId) : undefined;
    if (earlier) return resumeRecordedSession(earlier, request);
    throw error;
  }
  try {
    await reserveSessionStart(request.hostId, sessionId);
  } catch (error) {
    await deleteRefusedSession(sessionId);
    throw error;
  }
  return startExecution(record);
}

/**
 * A keyed request whose session an earlier attempt recorded: another request under the same key is a 409; a
 * session past STARTING is answered as it is; one still STARTING has its slots taken (again) and its execution
 * started (again). Not the session-start token: the earlier attempt took it, or died before it and costs none.
 * Slots refused here were never held by the earlier attempt, which therefore never started the execution: the
 * record is deleted as for any refused start.
 */
async function resumeRecordedSession(record: SessionRecord, request: CreateSessionRequest): Promise<CreatedSessionView> {
  if (!sameRequest(record, request)) throw new ConflictError('The Idempotency-Key was already used with a different request.');
  if (record.status !== 'STARTING') return answerAsItIs(record);
  // Taken over first, so that the session is not taken for an abandoned start while this attempt runs.
  const claimed = await claimSessionStart(record.sessionId);
  if (!claimed) return answerAsItIs((await getSession(record.sessionId)) ?? record);
  logger.warn('Session found STARTING by a retry; completing its start', { executionArn: record.executionArn });
  try {
    await takeSessionSlots(record.hostId, record.sessionId);
  } catch (error) {
    await deleteRefusedSession(record.sessionId);
    throw error;
  }
  return startExecution(record);
}

/** The answer to a keyed retry whose session is past STARTING: the session as it is. */
function answerAsItIs(record: SessionRecord): CreatedSessionView {
  return { sessionId: record.sessionId, executionArn: record.executionArn, status: record.status };
}

/** Starts the session's execution (answered STARTING); a failure marks it FAILED and gives its slots back. */
async function startExecution(record: SessionRecord): Promise<CreatedSessionView> {
  const { sessionId, hostId, executionArn } = record;
  try {
    await startSessionExecution(stateMachineArn, { sessionId, hostId, limits: DEFAULT_EXECUTION_LIMITS });
  } catch (error) {
    await markSessionFinished(sessionId, 'FAILED', 'STEP_FAILED', 'The session lifecycle could not be started.').catch((markError: unknown) =>
      logger.error('Could not mark the session FAILED', { errorName: (markError as Error).name }),
    );
    await releaseSessionSlot(hostId, sessionId);
    throw error;
  }
  logger.info('Session created', { executionArn });
  return { sessionId, executionArn, status: 'STARTING' };
}

/** Deletes the record of a start refused (its slots already given back); a failure is logged. */
async function deleteRefusedSession(sessionId: string): Promise<void> {
  await deleteUnstartedSession(sessionId).catch((deleteError: unknown) =>
    logger.error('Could not delete the refused session', { errorName: (deleteError as Error).name }),
  );
}

/** Whether the recorded session is the one the request asks for (its host, title and ducking). */
function sameRequest(record: SessionRecord, request: CreateSessionRequest): boolean {
  const ducking = request.ducking ? mergeDucking(DEFAULT_DUCKING, request.ducking) : undefined;
  return record.hostId === request.hostId && record.title === request.title && isDeepStrictEqual(record.ducking, ducking);
}
