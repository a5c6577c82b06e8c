/** Starts the session lifecycle execution, named after the session id. */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '#contract/index';
import { sfnClient } from '#clients/sfn';

/** Calls StartExecution; returns the execution's ARN. */
export async function startSessionExecution(stateMachineArn: string, input: ExecutionInput): Promise<string> {
  const { executionArn } = await sfnClient.send(
    new StartExecutionCommand({ stateMachineArn, name: input.sessionId, input: JSON.stringify(input) }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  return executionArn;
}
