/**
 * The warm pool's records in the sessions table (pk WARM_POOL_PARTITION, one per pool controller, and the
 * refill's lease). Each change is one DynamoDB call; the claim is a conditional write, so a controller
 * goes to one session only, ever.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ENV,
  WARM_CONTROLLER_FRESH_SECONDS,
  WARM_POOL_PARTITION,
  WARM_POOL_REFILL_LEASE_KEY,
  WARM_POOL_REFILL_LEASE_SECONDS,
  warmControllerKey,
  type WarmControllerAssignment,
  type WarmControllerRecord,
} from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';
import { partitionItems } from '#helpers/partition-items';

const tableName = getStringFromEnv(ENV.sessionsTable);

/** Every pool controller's record (strongly consistent: a claim must not act on a stale IDLE). */
export async function listWarmControllers(): Promise<WarmControllerRecord[]> {
  return (await partitionItems({ tableName, pk: WARM_POOL_PARTITION })) as unknown as WarmControllerRecord[]; // the pool's partition holds only these
}

/** One pool controller's record. */
export async function getWarmController(taskArn: string): Promise<WarmControllerRecord | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tableName, Key: warmControllerKey(taskArn), ConsistentRead: true }));
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = Item;
  return record as WarmControllerRecord;
}

/** Records a pool controller RunTask just started (STARTING). */
export async function putStartingController(taskArn: string, now: Date): Promise<void> {
  const record: WarmControllerRecord = { taskArn, state: 'STARTING', startedAt: now.toISOString() };
  await documentClient.send(
    new PutCommand({ TableName: tableName, Item: { ...warmControllerKey(taskArn), ...record }, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

/**
 * Claims an idle controller for a session: IDLE → CLAIMED with the assignment, only if it is still IDLE and
 * was seen within WARM_CONTROLLER_FRESH_SECONDS. False when another start (or a retirement) got there first,
 * or it went silent.
 */
export async function claimWarmController(taskArn: string, assignment: WarmControllerAssignment, now: Date): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: warmControllerKey(taskArn),
        UpdateExpression: 'SET #state = :claimed, assignment = :assignment, claimedAt = :now',
        ConditionExpression: '#state = :idle AND seenAt >= :fresh',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':claimed': 'CLAIMED',
          ':idle': 'IDLE',
          ':assignment': assignment,
          ':now': now.toISOString(),
          ':fresh': new Date(now.getTime() - WARM_CONTROLLER_FRESH_SECONDS * 1000).toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Retires an idle or starting controller (never a claimed one); false when it was claimed (or gone) meanwhile. */
export async function retireWarmController(taskArn: string): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: warmControllerKey(taskArn),
        UpdateExpression: 'SET #state = :retired',
        ConditionExpression: '#state IN (:idle, :starting)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':retired': 'RETIRED', ':idle': 'IDLE', ':starting': 'STARTING' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Deletes the record of a pool controller whose task is gone. */
export async function forgetWarmController(taskArn: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: warmControllerKey(taskArn) }));
}

/** Takes the refill's lease unless another refill holds it; true when taken. */
export async function takeRefillLease(holder: string, now: Date): Promise<boolean> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...WARM_POOL_REFILL_LEASE_KEY, holder, until: now.getTime() + WARM_POOL_REFILL_LEASE_SECONDS * 1000 },
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':now': now.getTime() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

/** Gives the lease back (only if still this holder's). */
export async function releaseRefillLease(holder: string): Promise<void> {
  await documentClient
    .send(
      new DeleteCommand({
        TableName: tableName,
        Key: WARM_POOL_REFILL_LEASE_KEY,
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
}

/** The lease's holder once the pool is drained: no refill runs again until the pool is reopened. */
export const DRAINED_HOLDER = 'drained';

/** Keeps the lease for good (the deployment is being removed): later refills find it busy and start nothing. */
export async function closeRefills(holder: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...WARM_POOL_REFILL_LEASE_KEY, holder: DRAINED_HOLDER, until: Number.MAX_SAFE_INTEGER },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
    }),
  );
}

/** Lets refills run again after a drain (the deployment is created again). */
export async function reopenRefills(): Promise<void> {
  await documentClient
    .send(
      new DeleteCommand({
        TableName: tableName,
        Key: WARM_POOL_REFILL_LEASE_KEY,
        ConditionExpression: 'holder = :drained',
        ExpressionAttributeValues: { ':drained': DRAINED_HOLDER },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailed(error)) throw error;
    });
}
