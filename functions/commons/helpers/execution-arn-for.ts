/** The ARN Step Functions gives an execution of a state machine started with a given name. */

/** Builds `arn:<partition>:states:<region>:<account>:execution:<machine>:<name>` from the state machine's ARN. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length < 7 || parts[5] !== 'stateMachine') throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
}
