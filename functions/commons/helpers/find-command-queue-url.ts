/** Finds the URL of a session's command queue by its name. */
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { commandQueueName } from '#contract/index';
import { sqsClient } from '#clients/sqs';
import { isNotFoundError } from './is-not-found-error.ts';

/** Calls GetQueueUrl; undefined when the queue does not exist. */
export async function findCommandQueueUrl(sessionId: string): Promise<string | undefined> {
  try {
    const { QueueUrl } = await sqsClient.send(new GetQueueUrlCommand({ QueueName: commandQueueName(sessionId) }));
    return QueueUrl;
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}
