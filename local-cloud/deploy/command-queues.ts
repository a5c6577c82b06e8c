/**
 * The command queues (infra/constructs/command-queues.ts): the shared FIFO dead-letter queue. The
 * per-session queues are created and deleted at runtime by CreateStage and Teardown.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_DLQ_NAME, DLQ_RETENTION_SECONDS } from '#contract/index';

/** Creates the dead-letter queue (CreateQueue is idempotent); answers its ARN. */
export async function deployCommandQueues(sqs: SQSClient): Promise<{ dlqArn: string }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: COMMAND_DLQ_NAME,
      // As CDK's queue: FIFO, the contract's retention, SQS-managed encryption (stored, not enforced locally).
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS), SqsManagedSseEnabled: 'true' },
    }),
  );
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const dlqArn = attributes.Attributes?.QueueArn;
  if (!dlqArn) throw new Error('The dead-letter queue has no ARN');
  return { dlqArn };
}
