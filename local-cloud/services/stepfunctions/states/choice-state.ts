/** Choice: the first rule that holds names the next state; else Default; else States.NoChoiceMatched. */
import type { ChoiceState } from '../asl-types.ts';
import { evaluateChoiceRule } from '../choice-rules.ts';
import { StatesNoChoiceMatchedError } from '../errors.ts';
import { filterPath } from '../paths.ts';
import type { StateHandler } from './state-action.ts';

export const choiceState: StateHandler<ChoiceState> = (state, { input, context }) => {
  const effective = filterPath(state.InputPath, input, 'InputPath');
  const rule = state.Choices.find((r) => evaluateChoiceRule(r, { input: effective, context }));
  const next = rule?.Next ?? state.Default;
  if (next === undefined) throw new StatesNoChoiceMatchedError('No Matches!');
  return { kind: 'transition', output: filterPath(state.OutputPath, effective, 'OutputPath'), next };
};
