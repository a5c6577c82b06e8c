/** Answers a callback task with a named error. */
import { SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '#clients/sfn';

/** Calls SendTaskFailure with an error name (as the ASL catches it) and a cause free of secrets. */
export async function sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
  await sfnClient.send(new SendTaskFailureCommand({ taskToken, error, cause: cause.slice(0, 32_768) }));
}
