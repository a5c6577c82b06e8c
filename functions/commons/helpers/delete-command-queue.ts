/** Deletes a session's command queue. */
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '#clients/sqs';

/** Calls DeleteQueue. */
export async function deleteCommandQueue(queueUrl: string): Promise<void> {
  await sqsClient.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}
