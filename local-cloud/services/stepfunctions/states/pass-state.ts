/** Pass: hands its input (or Result, or Parameters) on. */
import type { PassState } from '../asl-types.ts';
import { resolvePayloadTemplate } from '../payload-template.ts';
import { applyResultPath, filterPath } from '../paths.ts';
import { nextOf, type StateHandler } from './state-action.ts';

export const passState: StateHandler<PassState> = (state, { input, context }) => {
  const effective = filterPath(state.InputPath, input, 'InputPath');
  const result =
    state.Parameters !== undefined
      ? resolvePayloadTemplate(state.Parameters, { input: effective, context })
      : state.Result !== undefined
        ? state.Result
        : effective;
  const output = filterPath(state.OutputPath, applyResultPath(input, result, state.ResultPath), 'OutputPath');
  return { kind: 'transition', output, next: nextOf(state) };
};
