/**
 * A token bucket in the sessions table, kept as GCRA (the generic cell rate algorithm): one item per bucket
 * holds `tat`, the theoretical arrival time (epoch ms) of the next request. Taking a token is one conditional
 * UpdateItem (a second one when the bucket is busy, as DynamoDB cannot take max(tat, now) in one expression);
 * a refusal writes nothing and reads the item once to say when a token will be free. A request may cost
 * several tokens (`cost`: bytes of an upload), never more than the burst.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#clients/dynamodb';
import { isConditionFailed } from './is-condition-failed.ts';

/** A bucket's shape: its steady rate and how many requests it lets through at once. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/** Where a bucket lives in the sessions table. */
export interface RateBucketKey {
  pk: string;
  sk: string;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** How often a lost race between two takers is retried before the request is refused. */
const MAX_ATTEMPTS = 3;

/** Takes `cost` tokens (default one) from the bucket at `key`; nothing is written when it is refused. */
export async function takeRateToken(
  tableName: string,
  key: RateBucketKey,
  limit: RateLimit,
  now: () => number = Date.now,
  cost = 1,
): Promise<RateDecision> {
  const intervalMs = 1000 / limit.ratePerSecond;
  // A request of `cost` tokens fits while tat + (cost − 1) intervals stays within the burst's tolerance.
  const toleranceMs = intervalMs * (limit.burst - cost);
  if (cost > limit.burst) return { allowed: false, retryAfterSeconds: Math.ceil((intervalMs * limit.burst) / 1000) };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const at = now();
    if (await tryUpdate(tableName, key, 'SET tat = :next', 'attribute_not_exists(tat) OR tat < :now', { ':now': at, ':next': at + intervalMs * cost })) {
      return { allowed: true };
    }
    if (
      await tryUpdate(tableName, key, 'SET tat = tat + :interval', 'tat >= :now AND tat <= :latest', {
        ':now': at,
        ':latest': at + toleranceMs,
        ':interval': intervalMs * cost,
      })
    ) {
      return { allowed: true };
    }
    const tat = await readTat(tableName, key);
    if (tat !== undefined && tat > at + toleranceMs) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((tat - toleranceMs - at) / 1000)) };
    }
  }
  return { allowed: false, retryAfterSeconds: 1 };
}

/** Gives back `cost` tokens taken from the bucket at `key` (a request refused by another limit after it took them). */
export async function giveBackRateTokens(tableName: string, key: RateBucketKey, limit: RateLimit, cost = 1): Promise<void> {
  await tryUpdate(tableName, key, 'SET tat = tat - :interval', 'attribute_exists(tat)', { ':interval': (1000 / limit.ratePerSecond) * cost });
}

async function tryUpdate(
  tableName: string,
  key: RateBucketKey,
  updateExpression: string,
  conditionExpression: string,
  values: Record<string, number>,
): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: updateExpression,
        ConditionExpression: conditionExpression,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function readTat(tableName: string, key: RateBucketKey): Promise<number | undefined> {
  const { Item } = (await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }))) ?? {};
  return typeof Item?.tat === 'number' ? Item.tat : undefined;
}
