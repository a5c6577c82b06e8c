/** Wait: holds its input until Seconds pass or Timestamp arrives (from the definition or a path). */
import type { WaitState } from '../asl-types.ts';
import { StatesRuntimeError } from '../errors.ts';
import { filterPath, readPath } from '../paths.ts';
import { nextOf, type StateHandler } from './state-action.ts';

export const waitState: StateHandler<WaitState> = (state, { input, context, now }) => {
  const effective = filterPath(state.InputPath, input, 'InputPath');
  const scope = { input: effective, context };
  let untilMs: number;
  if (state.Seconds !== undefined || state.SecondsPath !== undefined) {
    const seconds = state.Seconds ?? readPath(state.SecondsPath!, scope, 'SecondsPath');
    if (typeof seconds !== 'number' || seconds < 0) throw new StatesRuntimeError('The Wait seconds must be a non-negative number');
    untilMs = now + seconds * 1000;
  } else {
    const timestamp = state.Timestamp ?? readPath(state.TimestampPath ?? '', scope, 'TimestampPath');
    const parsed = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (Number.isNaN(parsed)) throw new StatesRuntimeError('The Wait timestamp is not an ISO-8601 timestamp');
    untilMs = parsed;
  }
  return { kind: 'wait', untilMs, output: filterPath(state.OutputPath, effective, 'OutputPath'), next: nextOf(state) };
};
