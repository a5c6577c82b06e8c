/** The state handlers, by ASL Type. */
import type { State, StateType } from '../asl-types.ts';
import { choiceState } from './choice-state.ts';
import { failState } from './fail-state.ts';
import { passState } from './pass-state.ts';
import type { StateHandler } from './state-action.ts';
import { succeedState } from './succeed-state.ts';
import { taskState } from './task-state.ts';
import { waitState } from './wait-state.ts';

export const STATE_HANDLERS = {
  Task: taskState,
  Choice: choiceState,
  Pass: passState,
  Wait: waitState,
  Succeed: succeedState,
  Fail: failState,
} satisfies { [T in StateType]: StateHandler<Extract<State, { Type: T }>> };

/** Runs the handler of a state's Type. */
export function runStateHandler(state: State, ctx: Parameters<StateHandler<State>>[1]) {
  const handler = STATE_HANDLERS[state.Type] as StateHandler<State>;
  return handler(state, ctx);
}

export type { StateAction, StateContext } from './state-action.ts';
export { planTaskAttempt, taskOutput } from './task-state.ts';
