/** Creates the session's FIFO command queue, redriving to the shared dead-letter queue. */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import {
  COMMAND_MAX_RECEIVE_COUNT,
  COMMAND_RETENTION_SECONDS,
  COMMAND_VISIBILITY_TIMEOUT_SECONDS,
  SESSION_TAG_KEY,
  commandQueueName,
} from '#contract/index';
import { sqsClient } from '#clients/sqs';

/** Calls CreateQueue (idempotent for the same name and attributes); returns the queue URL. */
export async function createCommandQueue(sessionId: string, deadLetterQueueArn: string): Promise<string> {
  const { QueueUrl } = await sqsClient.send(
    new CreateQueueCommand({
      QueueName: commandQueueName(sessionId),
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        VisibilityTimeout: String(COMMAND_VISIBILITY_TIMEOUT_SECONDS),
        MessageRetentionPeriod: String(COMMAND_RETENTION_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: COMMAND_MAX_RECEIVE_COUNT }),
      },
      tags: { [SESSION_TAG_KEY]: sessionId },
    }),
  );
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}
