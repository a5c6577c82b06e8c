/**
 * Abandoned session starts. A request to start a session writes its record (STARTING) and takes its live
 * slots before it starts the session's execution; a request that dies in between (a crash, a timeout) leaves a
 * session that no execution will ever end. A retry under the same Idempotency-Key completes it
 * (actions/create-session.ts); without one, nothing would, and it would hold its slots for good.
 *
 * A session is taken for abandoned when it is STARTING (or ENDING: the host's DELETE of it changes the status
 * only) and its execution does not exist, once its last start attempt (`startAttemptAt`, else `createdAt`)
 * began more than SESSION_START_ABANDONED_SECONDS ago: longer than any attempt can live, so none can still be
 * about to start the execution. It is then recorded FAILED with a conditional update that requires the
 * attempt time to still be that old: a retry that takes the start over sets `startAttemptAt` first
 * (conditionally on STARTING), so either the retry takes over and this update is refused, or this update
 * comes first and the retry finds the session FAILED and starts nothing. Either way no execution runs for a
 * session recorded FAILED, which is what lets live-session-slots.ts drop its slots.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SESSION_START_ABANDONED_SECONDS, sessionKey, type SessionRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { sfnClient } from '#clients/sfn';
import { isConditionFailed } from './is-condition-failed.ts';

/** Why an abandoned start is FAILED (reason STEP_FAILED). */
export const ABANDONED_START_DETAIL = 'The session lifecycle was never started.';

/** Statuses a session whose execution never started can be in. */
const UNSTARTED_STATUSES = new Set(['STARTING', 'ENDING']);

/**
 * Records the session FAILED when it is an abandoned start; true when it is FAILED so (by this call), false
 * when it is not abandoned (too recent, its execution exists, or a retry took its start over meanwhile).
 */
export async function failAbandonedStart(tableName: string, record: SessionRecord, now = Date.now()): Promise<boolean> {
  if (!UNSTARTED_STATUSES.has(record.status)) return false;
  const cutoff = new Date(now - SESSION_START_ABANDONED_SECONDS * 1000).toISOString();
  if (!((record.startAttemptAt ?? record.createdAt) < cutoff)) return false;
  if (await executionExists(record.executionArn)) return false;
  const at = new Date(now).toISOString();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: sessionKey(record.sessionId),
        UpdateExpression: 'SET #status = :failed, #reason = :reason, reasonDetail = :detail, endedAt = :at, updatedAt = :at',
        ConditionExpression: '#status IN (:starting, :ending) AND (startAttemptAt < :cutoff OR (attribute_not_exists(startAttemptAt) AND createdAt < :cutoff))',
        ExpressionAttributeNames: { '#status': 'status', '#reason': 'reason' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':reason': 'STEP_FAILED',
          ':detail': ABANDONED_START_DETAIL,
          ':at': at,
          ':starting': 'STARTING',
          ':ending': 'ENDING',
          ':cutoff': cutoff,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function executionExists(executionArn: string): Promise<boolean> {
  try {
    await sfnClient.send(new DescribeExecutionCommand({ executionArn }));
    return true;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ExecutionDoesNotExist') return false;
    throw error;
  }
}
