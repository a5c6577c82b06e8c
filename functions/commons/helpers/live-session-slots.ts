/**
 * Sessions on air at once, per scope: one item per scope (pk `RATE#HOST#<hostId>` for a host, `RATE#ACCOUNT`
 * for the whole deployment; sk `LIVE`) whose string set `sessionIds` holds the sessions not yet ended. A slot
 * is taken with one conditional UpdateItem (ADD, while the set is smaller than the limit) and given back with
 * DELETE, both idempotent. When the set is full, the sessions it names are read (strongly consistent): those
 * ENDED, FAILED or without a record are dropped from it (a teardown that could not give its slot back costs
 * nothing for long), and the take is tried once more.
 *
 * Why the limit holds under any interleaving: the set only grows through the conditional ADD, so it never
 * holds more than `max` ids; and an id is only dropped when its session is over. The caller writes a
 * session's record before it takes the session's first slot, and deletes a record only after giving its
 * slots back, so "no record" means the session will never run; ENDED and FAILED are final. (A start whose
 * record is not written yet would otherwise look finished to a concurrent start and lose its slot.) A start
 * whose request died before starting the execution is recorded FAILED here once no attempt can still start it
 * (abandoned-session-start.ts), and then dropped like any FAILED session.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sessionKey, type SessionRecord, type SessionStatus, type SessionsTableKey } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { failAbandonedStart } from './abandoned-session-start.ts';
import { isConditionFailed } from './is-condition-failed.ts';

/** Statuses after which a session no longer holds a slot. */
const FINISHED: readonly SessionStatus[] = ['ENDED', 'FAILED'];

/**
 * Takes a slot of `key` for `sessionId` (whose record must already exist); false (nothing written) when
 * `max` sessions hold one.
 */
export async function takeLiveSessionSlot(tableName: string, key: SessionsTableKey, sessionId: string, max: number): Promise<boolean> {
  if (await tryAdd(tableName, key, sessionId, max)) return true;
  const stale = await finishedSessionsIn(tableName, key);
  if (stale.length === 0) return false;
  await removeFromSlots(tableName, key, stale);
  return tryAdd(tableName, key, sessionId, max);
}

/** Gives the slot of `sessionId` in `key` back (idempotent). */
export async function releaseLiveSessionSlot(tableName: string, key: SessionsTableKey, sessionId: string): Promise<void> {
  await removeFromSlots(tableName, key, [sessionId]);
}

async function tryAdd(tableName: string, key: SessionsTableKey, sessionId: string, max: number): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'ADD sessionIds :ids',
        ConditionExpression: 'attribute_not_exists(sessionIds) OR size(sessionIds) < :max OR contains(sessionIds, :id)',
        ExpressionAttributeValues: { ':ids': new Set([sessionId]), ':max': max, ':id': sessionId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function removeFromSlots(tableName: string, key: SessionsTableKey, sessionIds: string[]): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'DELETE sessionIds :ids',
      ExpressionAttributeValues: { ':ids': new Set(sessionIds) },
    }),
  );
}

/** The sessions holding slots of `key` whose record is gone or finished (an abandoned start is recorded FAILED first). */
async function finishedSessionsIn(tableName: string, key: SessionsTableKey): Promise<string[]> {
  const { Item } = (await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))) ?? {};
  const held = Item?.sessionIds instanceof Set ? [...(Item.sessionIds as Set<string>)] : [];
  const finished = await Promise.all(
    held.map(async (id) => {
      const { Item: record } = (await documentClient.send(new GetCommand({ TableName: tableName, Key: sessionKey(id), ConsistentRead: true }))) ?? {};
      return record === undefined || FINISHED.includes(record.status as SessionStatus) || (await failAbandonedStart(tableName, record as SessionRecord));
    }),
  );
  return held.filter((_id, i) => finished[i]);
}
