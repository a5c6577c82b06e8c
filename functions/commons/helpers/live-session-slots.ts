/**
 * How many sessions a host has on air at once: one item per host (pk `RATE#HOST#<hostId>`, sk `LIVE`) whose
 * string set `sessionIds` holds the sessions not yet ended. A slot is taken with one conditional UpdateItem
 * (ADD, while the set is smaller than the limit) and given back with DELETE, both idempotent. When the set is
 * full, the sessions it names are read (strongly consistent): those ended, failed or without a record are
 * dropped from it (a teardown that could not give its slot back costs nothing for long), and the take is tried
 * once more. A session whose slot was taken a moment ago but whose record is not written yet may be dropped by a
 * concurrent start of the same host: at worst one session more than the limit.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { liveSlotsKey, sessionKey, type SessionStatus } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { isConditionFailed } from './is-condition-failed.ts';

/** Statuses after which a session no longer holds a slot. */
const FINISHED: readonly SessionStatus[] = ['ENDED', 'FAILED'];

/** Takes a slot for `sessionId`; false (nothing written) when the host already has `max` sessions on air. */
export async function takeLiveSessionSlot(tableName: string, hostId: string, sessionId: string, max: number): Promise<boolean> {
  if (await tryAdd(tableName, hostId, sessionId, max)) return true;
  const stale = await finishedSessionsIn(tableName, hostId);
  if (stale.length === 0) return false;
  await removeFromSlots(tableName, hostId, stale);
  return tryAdd(tableName, hostId, sessionId, max);
}

/** Gives the slot of `sessionId` back (idempotent). */
export async function releaseLiveSessionSlot(tableName: string, hostId: string, sessionId: string): Promise<void> {
  await removeFromSlots(tableName, hostId, [sessionId]);
}

async function tryAdd(tableName: string, hostId: string, sessionId: string, max: number): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: liveSlotsKey(hostId),
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

async function removeFromSlots(tableName: string, hostId: string, sessionIds: string[]): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: liveSlotsKey(hostId),
      UpdateExpression: 'DELETE sessionIds :ids',
      ExpressionAttributeValues: { ':ids': new Set(sessionIds) },
    }),
  );
}

/** The sessions in the host's slots whose record is gone or finished. */
async function finishedSessionsIn(tableName: string, hostId: string): Promise<string[]> {
  const { Item } = (await documentClient.send(new GetCommand({ TableName: tableName, Key: liveSlotsKey(hostId), ConsistentRead: true }))) ?? {};
  const held = Item?.sessionIds instanceof Set ? [...(Item.sessionIds as Set<string>)] : [];
  const finished = await Promise.all(
    held.map(async (id) => {
      const { Item: record } = (await documentClient.send(new GetCommand({ TableName: tableName, Key: sessionKey(id), ConsistentRead: true }))) ?? {};
      return record === undefined || FINISHED.includes(record.status as SessionStatus);
    }),
  );
  return held.filter((_id, i) => finished[i]);
}
