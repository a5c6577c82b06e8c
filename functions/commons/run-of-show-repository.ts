/**
 * The run-of-show on the session record (pk `SESSION#<id>`, sk `SESSION`): written only on the version it
 * was read at, and only while the session is STARTING or LIVE, in one conditional update.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_SESSION_STATUSES, ENV, sessionKey, type RunOfShowItem, type SessionRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';

const tableName = getStringFromEnv(ENV.sessionsTable);

/**
 * Replaces the run-of-show with `items` at version `expectedVersion + 1`, if its version is still
 * `expectedVersion` and the session still active. Returns the new record, or undefined when the condition
 * failed (another edit won, or the session is no longer active).
 */
export async function writeRunOfShow(sessionId: string, expectedVersion: number, items: RunOfShowItem[]): Promise<SessionRecord | undefined> {
  const versionCondition = expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expected';
  const statuses = ACTIVE_SESSION_STATUSES.map((_status, i) => `:s${i}`);
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sessionKey(sessionId),
        UpdateExpression: 'SET #items = :items, #version = :next, updatedAt = :now',
        ConditionExpression: `attribute_exists(pk) AND ${versionCondition} AND #status IN (${statuses.join(', ')})`,
        ExpressionAttributeNames: { '#items': 'runOfShow', '#version': 'runOfShowVersion', '#status': 'status' } satisfies Record<string, keyof SessionRecord>,
        ExpressionAttributeValues: {
          ':items': items,
          ':next': expectedVersion + 1,
          ':now': new Date().toISOString(),
          ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
          ...Object.fromEntries(ACTIVE_SESSION_STATUSES.map((status, i) => [`:s${i}`, status])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as SessionRecord | undefined;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
}
