import { describe, expect, it } from 'vitest';
import { canRetry, errorMatches, findCatcher, findRetrier, retryDelayMs } from '#local-cloud/services/stepfunctions/retry-policy';

describe('errorMatches', () => {
  it('matches a name exactly', () => {
    expect(errorMatches(['Shelcaster.Transient'], 'Shelcaster.Transient')).toBe(true);
    expect(errorMatches(['Shelcaster.Transient'], 'Shelcaster.Other')).toBe(false);
  });

  it('lets States.ALL match everything but States.Runtime', () => {
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorMatches(['States.ALL'], 'Lambda.Unknown')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
  });

  it('lets States.TaskFailed match everything but States.Timeout', () => {
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['States.TaskFailed', 'States.Timeout'], 'States.Timeout')).toBe(true);
  });
});

describe('retriers and catchers', () => {
  const retriers = [{ ErrorEquals: ['A'], MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'] }];

  it('picks the first matching retrier, even one with no attempts', () => {
    expect(findRetrier(retriers, 'A')).toBe(0);
    expect(findRetrier(retriers, 'B')).toBe(1);
    expect(canRetry(retriers[0]!, 0)).toBe(false);
    expect(canRetry(retriers[1]!, 2)).toBe(true);
    expect(canRetry(retriers[1]!, 3)).toBe(false);
  });

  it('picks the first matching catcher', () => {
    const catchers = [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Lost' }, { ErrorEquals: ['States.ALL'], Next: 'End' }];
    expect(findCatcher(catchers, 'States.HeartbeatTimeout')?.Next).toBe('Lost');
    expect(findCatcher(catchers, 'States.Timeout')?.Next).toBe('End');
    expect(findCatcher(catchers, 'States.Runtime')).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('grows by BackoffRate from IntervalSeconds, with defaults 1 s and 2', () => {
    expect([0, 1, 2].map((n) => retryDelayMs({ ErrorEquals: ['X'] }, n))).toEqual([1000, 2000, 4000]);
    expect([0, 1, 2].map((n) => retryDelayMs({ ErrorEquals: ['X'], IntervalSeconds: 3, BackoffRate: 1.5 }, n))).toEqual([3000, 4500, 6750]);
  });

  it('caps at MaxDelaySeconds and applies full jitter', () => {
    expect(retryDelayMs({ ErrorEquals: ['X'], IntervalSeconds: 10, MaxDelaySeconds: 15 }, 3)).toBe(15_000);
    expect(retryDelayMs({ ErrorEquals: ['X'], IntervalSeconds: 10, JitterStrategy: 'FULL' }, 1, () => 0.25)).toBe(5000);
  });
});
