/** Puts a host's command on the session's FIFO queue. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { COMMAND_MESSAGE_GROUP, type CommandMessage } from '#contract/index';
import { sqsClient } from '#clients/sqs';

/** Calls SendMessage in the `commands` group, deduplicated by command id. */
export async function sendCommandMessage(queueUrl: string, message: CommandMessage): Promise<void> {
  await sqsClient.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      MessageGroupId: COMMAND_MESSAGE_GROUP,
      MessageDeduplicationId: message.commandId,
    }),
  );
}
