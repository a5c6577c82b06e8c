/**
 * Choice rules: every comparison operator of ASL (and its `Path` form), the type tests, and And/Or/Not.
 * A comparison between values of different types is false, as in Step Functions.
 */
import type { ChoiceRule } from './asl-types.ts';
import { StatesRuntimeError } from './errors.ts';
import type { JsonValue } from './json.ts';
import { pathExists, readPath, type PathScope } from './paths.ts';

type Kind = 'string' | 'numeric' | 'boolean' | 'timestamp';
type Comparison = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const COMPARISON_PATTERN = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?$/;

/** RFC 3339 timestamps as ASL compares them (uppercase T, a zone). */
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const TYPE_TESTS: Record<string, (value: JsonValue) => boolean> = {
  IsNull: (v) => v === null,
  IsNumeric: (v) => typeof v === 'number',
  IsString: (v) => typeof v === 'string',
  IsBoolean: (v) => typeof v === 'boolean',
  IsTimestamp: (v) => typeof v === 'string' && TIMESTAMP_PATTERN.test(v),
};

/** Whether a rule holds for the input. */
export function evaluateChoiceRule(rule: ChoiceRule, scope: PathScope): boolean {
  if (rule.And) return rule.And.every((r) => evaluateChoiceRule(r, scope));
  if (rule.Or) return rule.Or.some((r) => evaluateChoiceRule(r, scope));
  if (rule.Not) return !evaluateChoiceRule(rule.Not, scope);
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw new StatesRuntimeError('A choice rule has no Variable');
  const operator = Object.keys(rule).find((key) => key !== 'Variable' && key !== 'Next' && key !== 'Comment');
  if (!operator) throw new StatesRuntimeError(`The choice rule on ${variable} has no comparison`);
  const operand = rule[operator] as JsonValue;

  if (operator === 'IsPresent') return pathExists(variable, scope) === operand;
  const value = readPath(variable, scope, 'choice rule Variable');
  const typeTest = TYPE_TESTS[operator];
  if (typeTest) return typeTest(value) === operand;
  if (operator === 'StringMatches') return typeof value === 'string' && typeof operand === 'string' && wildcardMatch(value, operand);

  const match = COMPARISON_PATTERN.exec(operator);
  if (!match) throw new StatesRuntimeError(`Unsupported choice operator ${operator}`);
  const kind = match[1]!.toLowerCase() as Kind;
  const comparison = match[2] as Comparison;
  const expected = match[3] ? readPath(String(operand), scope, `choice rule ${operator}`) : operand;
  return compare(kind, comparison, value, expected);
}

function compare(kind: Kind, comparison: Comparison, left: JsonValue, right: JsonValue): boolean {
  let a: number | string | boolean;
  let b: number | string | boolean;
  if (kind === 'string') {
    if (typeof left !== 'string' || typeof right !== 'string') return false;
    [a, b] = [left, right];
  } else if (kind === 'numeric') {
    if (typeof left !== 'number' || typeof right !== 'number') return false;
    [a, b] = [left, right];
  } else if (kind === 'boolean') {
    if (typeof left !== 'boolean' || typeof right !== 'boolean') return false;
    return comparison === 'Equals' && left === right;
  } else {
    if (!TYPE_TESTS.IsTimestamp!(left) || !TYPE_TESTS.IsTimestamp!(right)) return false;
    [a, b] = [Date.parse(left as string), Date.parse(right as string)];
  }
  switch (comparison) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThanEquals':
      return a >= b;
  }
}

/** StringMatches: `*` matches any run of characters; `\*` and `\\` are literal. */
function wildcardMatch(value: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      regex += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (ch === '*') regex += '.*';
    else regex += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(value);
}
