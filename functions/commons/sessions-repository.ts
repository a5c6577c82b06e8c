/**
 * The session records in DynamoDB (pk `SESSION#<id>`, sk `SESSION`). One function per change, each one
 * DynamoDB call; conditions keep the status moving only forward.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ACTIVE_SESSION_STATUSES,
  ENV,
  sessionKey,
  type EndReason,
  type SessionRecord,
  type SessionRecording,
  type SessionStatus,
} from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { NotFoundError } from './errors.ts';

const tableName = getStringFromEnv(ENV.sessionsTable);

type StoredSession = SessionRecord & { pk: string; sk: string };

const withoutKeys = (item: Record<string, unknown> | undefined): SessionRecord | undefined => {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = item as unknown as StoredSession;
  return record;
};

/** Whether a DynamoDB error is a failed condition. */
export const isConditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';

/** Writes a new session record; fails if the id is taken. */
export async function putNewSession(record: SessionRecord): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...sessionKey(record.sessionId), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Deletes the record of a session refused before its lifecycle started (still STARTING, no execution), so a
 * refused start leaves nothing behind.
 */
export async function deleteUnstartedSession(sessionId: string): Promise<void> {
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: sessionKey(sessionId),
      ConditionExpression: '#status = :starting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':starting': 'STARTING' },
    }),
  );
}

/** Reads a session record (strongly consistent); undefined when there is none. */
export async function getSession(sessionId: string): Promise<SessionRecord | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: sessionKey(sessionId), ConsistentRead: true }));
  return withoutKeys(Item);
}

/** Reads only a session's status (strongly consistent); undefined when there is no record. */
export async function getSessionStatus(sessionId: string): Promise<SessionStatus | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: sessionKey(sessionId),
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item?.status as SessionStatus | undefined;
}

/** Reads a session the caller owns; a missing session and someone else's are the same 404. */
export async function getOwnedSession(sessionId: string, hostId: string): Promise<SessionRecord> {
  const session = await getSession(sessionId);
  if (!session || session.hostId !== hostId) throw new NotFoundError('session');
  return session;
}

/** Sets fields on an existing session (and updatedAt); returns the new record. */
async function updateSession(
  sessionId: string,
  fields: Record<string, unknown>,
  options: { condition?: string; values?: Record<string, unknown>; ifNotExists?: Record<string, unknown> } = {},
): Promise<SessionRecord> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...options.values };
  const sets: string[] = [];
  const all = { ...fields, updatedAt: new Date().toISOString() };
  for (const [i, [name, value]] of Object.entries(all).entries()) {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  }
  for (const [i, [name, value]] of Object.entries(options.ifNotExists ?? {}).entries()) {
    names[`#n${i}`] = name;
    values[`:n${i}`] = value;
    sets.push(`#n${i} = if_not_exists(#n${i}, :n${i})`);
  }
  const conditionNames: Record<string, string> = options.condition?.includes('#status') ? { '#status': 'status' } : {};
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: sessionKey(sessionId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: ['attribute_exists(pk)', options.condition].filter(Boolean).join(' AND '),
      ExpressionAttributeNames: { ...names, ...conditionNames },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  const record = withoutKeys(Attributes);
  if (!record) throw new Error(`Update of session ${sessionId} returned no record`);
  return record;
}

const ACTIVE_OR_ENDING: readonly SessionStatus[] = [...ACTIVE_SESSION_STATUSES, 'ENDING'];

/**
 * Marks the host's request to end: status ENDING and endRequested, when the session is STARTING, LIVE or
 * already ENDING. Returns undefined when the session has already ended or failed.
 */
export async function requestSessionEnd(sessionId: string): Promise<SessionRecord | undefined> {
  try {
    return await updateSession(
      sessionId,
      { status: 'ENDING', endRequested: true },
      { condition: '#status IN (:s0, :s1, :s2)', values: { ':s0': ACTIVE_OR_ENDING[0], ':s1': ACTIVE_OR_ENDING[1], ':s2': ACTIVE_OR_ENDING[2] } },
    );
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/**
 * Takes over the start of a session still STARTING (a retry under the same Idempotency-Key): sets
 * `startAttemptAt` to now, so that the session is not taken for an abandoned start while this attempt runs
 * (helpers/abandoned-session-start.ts). Returns the record, or undefined when the session is no longer STARTING.
 */
export async function claimSessionStart(sessionId: string): Promise<SessionRecord | undefined> {
  try {
    return await updateSession(sessionId, { startAttemptAt: new Date().toISOString() }, { condition: '#status = :starting', values: { ':starting': 'STARTING' } });
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}

/** Records the session's IVS stage. */
export const recordStage = (sessionId: string, stageArn: string) => updateSession(sessionId, { stageArn });

/** Records the session's command queue. */
export const recordQueue = (sessionId: string, queueUrl: string) => updateSession(sessionId, { queueUrl });

/** Records the session's current controller task and its generation. */
export const recordTask = (sessionId: string, taskArn: string, controllerGeneration: number) =>
  updateSession(sessionId, { taskArn, controllerGeneration });

/**
 * Records a composition started for the session: the current one (compositionArn, recordingPrefix) and one
 * more entry of `recordings`, the parts of the show in order. A retry recording the same composition again
 * changes nothing (the condition keeps it from being listed twice).
 */
export async function recordComposition(sessionId: string, recording: SessionRecording): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sessionKey(sessionId),
        UpdateExpression:
          'SET #recordings = list_append(if_not_exists(#recordings, :none), :recording), #arn = :arn, #updatedAt = :now' +
          (recording.recordingPrefix ? ', #prefix = :prefix' : ' REMOVE #prefix'),
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#arn) OR #arn <> :arn)',
        ExpressionAttributeNames: { '#recordings': 'recordings', '#arn': 'compositionArn', '#prefix': 'recordingPrefix', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: {
          ':none': [],
          ':recording': [recording],
          ':arn': recording.compositionArn,
          ':now': new Date().toISOString(),
          ...(recording.recordingPrefix ? { ':prefix': recording.recordingPrefix } : {}),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    // Already the current composition (a retry), or the record is gone: nothing to add.
  }
}

/**
 * Marks the session LIVE, keeping the first liveAt/endsAt across controller replacements. Fails (condition)
 * when the session is no longer STARTING/LIVE or the host asked to end it.
 */
export const markSessionLive = (sessionId: string, liveAt: string, endsAt: string) =>
  updateSession(
    sessionId,
    { status: 'LIVE' },
    {
      condition: '#status IN (:s0, :s1) AND (attribute_not_exists(endRequested) OR endRequested = :false)',
      values: { ':s0': 'STARTING', ':s1': 'LIVE', ':false': false },
      ifNotExists: { liveAt, endsAt },
    },
  );

/** Records the controller losses still inside the restart window and the replacements allowed so far. */
export const recordControllerLosses = (sessionId: string, controllerLosses: string[], controllerRestarts: number) =>
  updateSession(sessionId, { controllerLosses, controllerRestarts });

/** Marks a session that is being torn down ENDING (no-op when it is not STARTING/LIVE). */
export async function markSessionEnding(sessionId: string): Promise<void> {
  try {
    await updateSession(sessionId, { status: 'ENDING' }, { condition: '#status IN (:s0, :s1)', values: { ':s0': 'STARTING', ':s1': 'LIVE' } });
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Records the end: ENDED or FAILED, the reason, and the first endedAt. */
export const markSessionFinished = (
  sessionId: string,
  status: Extract<SessionStatus, 'ENDED' | 'FAILED'>,
  reason: EndReason,
  reasonDetail: string | undefined,
) =>
  updateSession(sessionId, reasonDetail ? { status, reason, reasonDetail } : { status, reason }, {
    ifNotExists: { endedAt: new Date().toISOString() },
  });
