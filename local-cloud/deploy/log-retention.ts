/** Log groups with the contract's retention (infra/log-retention.ts). */
import { CreateLogGroupCommand, PutRetentionPolicyCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LOG_RETENTION_DAYS } from '#contract/index';

/** Creates a log group with the project's retention unless it exists. */
export async function ensureLogGroup(logs: CloudWatchLogsClient, logGroupName: string): Promise<void> {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
  }
  await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: LOG_RETENTION_DAYS }));
}
