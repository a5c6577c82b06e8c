/** Fail: ends the execution with an error and a cause (from the definition or a path). */
import type { FailState } from '../asl-types.ts';
import { readPath } from '../paths.ts';
import type { StateHandler } from './state-action.ts';

export const failState: StateHandler<FailState> = (state, { input, context }) => {
  const scope = { input, context };
  const error = state.ErrorPath !== undefined ? readPath(state.ErrorPath, scope, 'ErrorPath') : (state.Error ?? '');
  const cause = state.CausePath !== undefined ? readPath(state.CausePath, scope, 'CausePath') : (state.Cause ?? '');
  return { kind: 'fail', error: String(error), cause: String(cause) };
};
