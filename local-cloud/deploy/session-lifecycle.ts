/**
 * The session lifecycle state machine (infra/constructs/session-lifecycle.ts): the ASL file with the same
 * substitutions CDK makes, each `${...FunctionArn}` the ARN of its function. Created, or updated when the
 * ASL file changed since the last start.
 */
import { readFile } from 'node:fs/promises';
import {
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  UpdateStateMachineCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ASL_FILE, FUNCTION_SUBSTITUTIONS, STATE_MACHINE_NAME, substituteDefinition, type SubstitutionKey } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';

/** The state machine's ARN in this account and region (the functions are bound to it before it exists). */
export const stateMachineArnOf = (region: string, account: string) => `arn:aws:states:${region}:${account}:stateMachine:${STATE_MACHINE_NAME}`;

export interface LocalSessionLifecycle {
  stateMachineArn: string;
  /** The definition after substitution. */
  definition: string;
}

/** Creates or updates the state machine. */
export async function deploySessionLifecycle(sfn: SFNClient, region: string, account: string, roleArn: string): Promise<LocalSessionLifecycle> {
  const stateMachineArn = stateMachineArnOf(region, account);
  const substitutions = Object.fromEntries(
    Object.entries(FUNCTION_SUBSTITUTIONS).map(([key, role]) => [key, functionArn(region, account, role)]),
  ) as Record<SubstitutionKey, string>;
  const definition = substituteDefinition(await readFile(ASL_FILE, 'utf8'), substitutions);
  try {
    const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    if (current.definition !== definition || current.roleArn !== roleArn) await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition, roleArn }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'StateMachineDoesNotExist') throw error;
    await sfn.send(new CreateStateMachineCommand({ name: STATE_MACHINE_NAME, definition, roleArn, type: 'STANDARD' }));
  }
  return { stateMachineArn, definition };
}
