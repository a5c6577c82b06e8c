/** Succeed: ends the execution successfully. */
import type { SucceedState } from '../asl-types.ts';
import { filterPath } from '../paths.ts';
import type { StateHandler } from './state-action.ts';

export const succeedState: StateHandler<SucceedState> = (state, { input }) => ({
  kind: 'succeed',
  output: filterPath(state.OutputPath, filterPath(state.InputPath, input, 'InputPath'), 'OutputPath'),
});
