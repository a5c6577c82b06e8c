/**
 * Task: the engine runs the resource; this module computes what one attempt sends (parameters,
 * timeouts) and what the state outputs from a result.
 */
import type { TaskState } from '../asl-types.ts';
import { StatesRuntimeError } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import { resolvePayloadTemplate } from '../payload-template.ts';
import { applyResultPath, filterPath, readPath } from '../paths.ts';
import { parseResource } from '../task-resources.ts';
import type { StateHandler } from './state-action.ts';

export const taskState: StateHandler<TaskState> = (state) => {
  const resource = parseResource(state.Resource);
  if (!resource) throw new StatesRuntimeError(`The resource ${state.Resource} is not supported`);
  return { kind: 'task', resource };
};

/** What one attempt of a Task sends, and how long it may take. */
export interface TaskAttemptPlan {
  parameters: JsonValue;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

/** Applies InputPath and Parameters, and resolves TimeoutSeconds(Path) and HeartbeatSeconds(Path). */
export function planTaskAttempt(state: TaskState, input: JsonValue, context: JsonValue): TaskAttemptPlan {
  const effective = filterPath(state.InputPath, input, 'InputPath');
  const parameters = state.Parameters !== undefined ? resolvePayloadTemplate(state.Parameters, { input: effective, context }) : effective;
  const plan: TaskAttemptPlan = { parameters };
  const timeout = secondsOf(state.TimeoutSeconds, state.TimeoutSecondsPath, input, 'TimeoutSecondsPath');
  const heartbeat = secondsOf(state.HeartbeatSeconds, state.HeartbeatSecondsPath, input, 'HeartbeatSecondsPath');
  if (timeout !== undefined) plan.timeoutSeconds = timeout;
  if (heartbeat !== undefined) plan.heartbeatSeconds = heartbeat;
  return plan;
}

function secondsOf(fixed: number | undefined, path: string | undefined, input: JsonValue, field: string): number | undefined {
  const value = fixed ?? (path !== undefined ? readPath(path, { input, context: null }, field) : undefined);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new StatesRuntimeError(`The value of ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The state's output for a result: ResultSelector, then ResultPath into the input, then OutputPath. */
export function taskOutput(state: TaskState, input: JsonValue, result: JsonValue, context: JsonValue): JsonValue {
  const selected = state.ResultSelector !== undefined ? resolvePayloadTemplate(state.ResultSelector, { input: result, context }) : result;
  return filterPath(state.OutputPath, applyResultPath(input, selected, state.ResultPath), 'OutputPath');
}
