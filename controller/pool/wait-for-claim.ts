/**
 * A warm-pool controller's idle life (contract/warm-pool.ts): once its page is loaded it marks its pool
 * record IDLE, says every WARM_CONTROLLER_SEEN_SECONDS that it is alive, and reads the record every
 * WARM_CONTROLLER_POLL_MS until a start claims it (CLAIMED, with the session: the hand-off). It gives up —
 * and the controller exits — when it is retired, its lifetime is over, no record of it appears, or it is
 * told to stop. Every change is conditional on the state it expects, so it never undoes a claim.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  WARM_CONTROLLER_LIFETIME_SECONDS,
  WARM_CONTROLLER_POLL_MS,
  WARM_CONTROLLER_SEEN_SECONDS,
  WARM_CONTROLLER_UNRECORDED_SECONDS,
  warmControllerKey,
  type WarmControllerAssignment,
  type WarmControllerRecord,
} from '#contract/index';
import type { Logger } from '../logger.ts';

export interface WaitForClaimDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** This task's ARN (its record's key). */
  taskArn: string;
  logger: Logger;
  /** Aborted on SIGTERM, or when the browser died. */
  stopSignal: AbortSignal;
  now?: () => Date;
  pollMs?: number;
}

/** Why the wait ended without a claim. */
export type IdleEnd = 'stopped' | 'retired' | 'lifetime-over' | 'unrecorded';

/** Waits idle until claimed; resolves to the session's assignment, or why it gave up. */
export async function waitForClaim(deps: WaitForClaimDeps): Promise<{ claimed: WarmControllerAssignment } | { ended: IdleEnd }> {
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? WARM_CONTROLLER_POLL_MS;
  const began = now().getTime();
  let seenAt = 0;
  while (!deps.stopSignal.aborted) {
    const record = await readRecord(deps).catch((error: unknown) => {
      deps.logger.warn('Reading the pool record failed; trying again', { reason: (error as Error).message });
      return 'unreadable' as const;
    });
    const at = now().getTime();
    if (record === undefined && at - began > WARM_CONTROLLER_UNRECORDED_SECONDS * 1000) return { ended: 'unrecorded' };
    if (record !== undefined && record !== 'unreadable') {
      if (record.state === 'CLAIMED' && record.assignment) return { claimed: record.assignment };
      if (record.state === 'RETIRED') return { ended: 'retired' };
      if (at - Date.parse(record.startedAt) >= WARM_CONTROLLER_LIFETIME_SECONDS * 1000) {
        if (await change(deps, 'RETIRED', now())) return { ended: 'lifetime-over' };
        continue; // claimed meanwhile: read it again
      }
      if (record.state === 'STARTING' || at - seenAt >= WARM_CONTROLLER_SEEN_SECONDS * 1000) {
        if (await change(deps, 'IDLE', now())) {
          if (record.state === 'STARTING') deps.logger.info('Warm and idle: waiting to be claimed');
          seenAt = at;
        }
        continue; // read at once what a failed condition means
      }
    }
    await sleep(pollMs, deps.stopSignal);
  }
  return { ended: 'stopped' };
}

async function readRecord(deps: WaitForClaimDeps): Promise<WarmControllerRecord | undefined> {
  const { Item } = await deps.doc.send(new GetCommand({ TableName: deps.tableName, Key: warmControllerKey(deps.taskArn), ConsistentRead: true }));
  return Item as WarmControllerRecord | undefined;
}

/** IDLE (from STARTING or IDLE, with seenAt) or RETIRED (from IDLE or STARTING); false when the record was not in such a state. */
async function change(deps: WaitForClaimDeps, to: 'IDLE' | 'RETIRED', at: Date): Promise<boolean> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: warmControllerKey(deps.taskArn),
        UpdateExpression: to === 'IDLE' ? 'SET #state = :to, seenAt = :at, idleSince = if_not_exists(idleSince, :at)' : 'SET #state = :to',
        ConditionExpression: '#state IN (:starting, :idle)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':to': to, ':starting': 'STARTING', ':idle': 'IDLE', ...(to === 'IDLE' ? { ':at': at.toISOString() } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') return false;
    deps.logger.warn('Updating the pool record failed; trying again', { reason: (error as Error).message });
    await sleep(WARM_CONTROLLER_POLL_MS, deps.stopSignal);
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
