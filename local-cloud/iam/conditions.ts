/**
 * IAM condition operators (the subset the system's policies use, and their near kin): String*, Arn*, Bool,
 * Null and Numeric*, each with `IfExists`, and the `ForAllValues:` / `ForAnyValue:` set qualifiers. Keys
 * are matched case-insensitively, as IAM does; a missing key fails every operator but the negated ones
 * (StringNotEquals, ArnNotLike, ...) and `Null: true`, as IAM evaluates them.
 */
import { UnsupportedPolicyError } from './policy-document.ts';
import { globMatches } from './glob.ts';

/** The request's condition keys: `aws:SecureTransport`, `ecs:cluster`, `iam:PassedToService`, ... */
export type ConditionContext = Record<string, string | string[] | undefined>;

type Compare = (actual: string, expected: string) => boolean;

const BASE_OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (a, e) => a === e, negated: false },
  StringNotEquals: { compare: (a, e) => a === e, negated: true },
  StringEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  StringLike: { compare: (a, e) => globMatches(e, a), negated: false },
  StringNotLike: { compare: (a, e) => globMatches(e, a), negated: true },
  ArnEquals: { compare: (a, e) => globMatches(e, a), negated: false },
  ArnLike: { compare: (a, e) => globMatches(e, a), negated: false },
  ArnNotEquals: { compare: (a, e) => globMatches(e, a), negated: true },
  ArnNotLike: { compare: (a, e) => globMatches(e, a), negated: true },
  Bool: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  NumericEquals: { compare: (a, e) => Number(a) === Number(e), negated: false },
  NumericNotEquals: { compare: (a, e) => Number(a) === Number(e), negated: true },
  NumericLessThan: { compare: (a, e) => Number(a) < Number(e), negated: false },
  NumericLessThanEquals: { compare: (a, e) => Number(a) <= Number(e), negated: false },
  NumericGreaterThan: { compare: (a, e) => Number(a) > Number(e), negated: false },
  NumericGreaterThanEquals: { compare: (a, e) => Number(a) >= Number(e), negated: false },
};

/** Throws UnsupportedPolicyError for an operator this evaluator does not implement. */
export function checkOperator(operator: string): void {
  const { base } = parseOperator(operator);
  if (base !== 'Null' && !BASE_OPERATORS[base]) throw new UnsupportedPolicyError(`Condition operator ${operator} is not evaluated by the local cloud`);
}

function parseOperator(operator: string): { base: string; ifExists: boolean; set?: 'all' | 'any' } {
  let rest = operator;
  let set: 'all' | 'any' | undefined;
  if (rest.startsWith('ForAllValues:')) {
    set = 'all';
    rest = rest.slice('ForAllValues:'.length);
  } else if (rest.startsWith('ForAnyValue:')) {
    set = 'any';
    rest = rest.slice('ForAnyValue:'.length);
  }
  const ifExists = rest.endsWith('IfExists');
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  return set ? { base, ifExists, set } : { base, ifExists };
}

/** The context's values of a key (case-insensitive key lookup); undefined when absent. */
function valuesOf(context: ConditionContext, key: string): string[] | undefined {
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() === lower && value !== undefined) return Array.isArray(value) ? value : [value];
  }
  return undefined;
}

/** Whether one condition (operator, key, values) holds for the request. */
export function conditionHolds(operator: string, key: string, expected: readonly string[], context: ConditionContext): boolean {
  const { base, ifExists, set } = parseOperator(operator);
  const actual = valuesOf(context, key);
  if (base === 'Null') {
    const wantsAbsent = expected.some((e) => e.toLowerCase() === 'true');
    return wantsAbsent ? actual === undefined : actual !== undefined;
  }
  const op = BASE_OPERATORS[base];
  if (!op) throw new UnsupportedPolicyError(`Condition operator ${operator} is not evaluated by the local cloud`);
  if (actual === undefined || actual.length === 0) {
    if (set === 'all') return true;
    return ifExists || op.negated;
  }
  const matchesAny = (value: string) => expected.some((e) => op.compare(value, e));
  if (set === 'all') return actual.every((v) => (op.negated ? !matchesAny(v) : matchesAny(v)));
  if (set === 'any') return actual.some((v) => (op.negated ? !matchesAny(v) : matchesAny(v)));
  // A single-valued key: a negated operator holds when the value matches none of the expected values.
  return op.negated ? !actual.some(matchesAny) : actual.some(matchesAny);
}
