import { describe, expect, it } from 'vitest';
import type { ChoiceRule } from '#local-cloud/services/stepfunctions/asl-types';
import { evaluateChoiceRule } from '#local-cloud/services/stepfunctions/choice-rules';

const input = {
  s: 'banana',
  n: 5,
  b: true,
  t: '2026-11-01T20:00:00Z',
  other: { s: 'banana', n: 7, b: true, t: '2026-11-01T21:00:00+00:00' },
  nothing: null,
};
const holds = (rule: ChoiceRule) => evaluateChoiceRule(rule, { input, context: {} });

describe('choice rules', () => {
  it('compares strings, numbers, booleans and timestamps with each operator', () => {
    expect(holds({ Variable: '$.s', StringEquals: 'banana' })).toBe(true);
    expect(holds({ Variable: '$.s', StringLessThan: 'cherry' })).toBe(true);
    expect(holds({ Variable: '$.s', StringGreaterThanEquals: 'banana' })).toBe(true);
    expect(holds({ Variable: '$.n', NumericEquals: 5 })).toBe(true);
    expect(holds({ Variable: '$.n', NumericGreaterThan: 5 })).toBe(false);
    expect(holds({ Variable: '$.n', NumericLessThanEquals: 5 })).toBe(true);
    expect(holds({ Variable: '$.b', BooleanEquals: true })).toBe(true);
    expect(holds({ Variable: '$.b', BooleanEquals: false })).toBe(false);
    expect(holds({ Variable: '$.t', TimestampLessThan: '2026-11-01T20:00:01Z' })).toBe(true);
    expect(holds({ Variable: '$.t', TimestampEquals: '2026-11-01T21:00:00+01:00' })).toBe(true);
  });

  it('compares with another path in the *Path forms', () => {
    expect(holds({ Variable: '$.s', StringEqualsPath: '$.other.s' })).toBe(true);
    expect(holds({ Variable: '$.n', NumericLessThanPath: '$.other.n' })).toBe(true);
    expect(holds({ Variable: '$.b', BooleanEqualsPath: '$.other.b' })).toBe(true);
    expect(holds({ Variable: '$.t', TimestampLessThanPath: '$.other.t' })).toBe(true);
  });

  it('is false, not an error, when the types differ', () => {
    expect(holds({ Variable: '$.n', StringEquals: '5' })).toBe(false);
    expect(holds({ Variable: '$.s', NumericEquals: 5 })).toBe(false);
    expect(holds({ Variable: '$.s', BooleanEquals: true })).toBe(false);
  });

  it('tests presence and types', () => {
    expect(holds({ Variable: '$.missing', IsPresent: false })).toBe(true);
    expect(holds({ Variable: '$.s', IsPresent: true })).toBe(true);
    expect(holds({ Variable: '$.nothing', IsNull: true })).toBe(true);
    expect(holds({ Variable: '$.n', IsNumeric: true })).toBe(true);
    expect(holds({ Variable: '$.s', IsString: true })).toBe(true);
    expect(holds({ Variable: '$.b', IsBoolean: true })).toBe(true);
    expect(holds({ Variable: '$.t', IsTimestamp: true })).toBe(true);
    expect(holds({ Variable: '$.s', IsTimestamp: true })).toBe(false);
  });

  it('matches wildcards with StringMatches, escaped stars literally', () => {
    expect(holds({ Variable: '$.s', StringMatches: 'ban*' })).toBe(true);
    expect(holds({ Variable: '$.s', StringMatches: '*nan*' })).toBe(true);
    expect(holds({ Variable: '$.s', StringMatches: 'ban\\*' })).toBe(false);
  });

  it('combines rules with And, Or and Not', () => {
    expect(holds({ And: [{ Variable: '$.n', NumericGreaterThan: 1 }, { Variable: '$.b', BooleanEquals: true }] })).toBe(true);
    expect(holds({ Or: [{ Variable: '$.n', NumericGreaterThan: 10 }, { Variable: '$.s', StringEquals: 'x' }] })).toBe(false);
    expect(holds({ Not: { Variable: '$.s', StringEquals: 'x' } })).toBe(true);
  });

  it('fails with States.Runtime when a compared Variable is missing', () => {
    expect(() => holds({ Variable: '$.missing', StringEquals: 'x' })).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
  });
});
