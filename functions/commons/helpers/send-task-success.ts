/** Answers a callback task with success. */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '#clients/sfn';

/** Calls SendTaskSuccess with a JSON output. */
export async function sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
  await sfnClient.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
}
