/** The context object (`$$`) a state sees: its execution, itself, its state machine, its task token. */
import type { JsonObject, JsonValue } from './json.ts';

export interface ContextSource {
  executionArn: string;
  executionName: string;
  input: JsonValue;
  roleArn: string;
  startDate: number;
  stateMachineArn: string;
  stateMachineName: string;
  stateName: string;
  stateEnteredAt: number;
  retryCount: number;
  taskToken?: string;
}

/** Builds `$$` for one state (and one attempt, for the retry count and the token). */
export function contextObject(source: ContextSource): JsonObject {
  const context: JsonObject = {
    Execution: {
      Id: source.executionArn,
      Input: source.input,
      Name: source.executionName,
      RoleArn: source.roleArn,
      StartTime: new Date(source.startDate).toISOString(),
      RedriveCount: 0,
    },
    State: {
      EnteredTime: new Date(source.stateEnteredAt).toISOString(),
      Name: source.stateName,
      RetryCount: source.retryCount,
    },
    StateMachine: { Id: source.stateMachineArn, Name: source.stateMachineName },
  };
  if (source.taskToken !== undefined) context.Task = { Token: source.taskToken };
  return context;
}
