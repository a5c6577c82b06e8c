import { describe, expect, it } from 'vitest';
import { ExecutionTimers } from '#local-cloud/services/stepfunctions/execution-timers';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:m:e';

describe('ExecutionTimers', () => {
  it('keeps one state timer per execution: arming it again replaces the first', async () => {
    const clock = new ManualClock(0);
    const timers = new ExecutionTimers(clock);
    const fired: string[] = [];
    timers.armStateTimer(ARN, 1_000, () => fired.push('first'));
    timers.armStateTimer(ARN, 2_000, () => fired.push('second'));

    await clock.advance(5_000);

    expect(fired).toEqual(['second']);
  });

  it("fires an attempt's timeout and heartbeat at their deadlines, and clears them without touching the state timer", async () => {
    const clock = new ManualClock(0);
    const timers = new ExecutionTimers(clock);
    const fired: string[] = [];
    timers.armStateTimer(ARN, 3_000, () => fired.push('state'));
    timers.armAttemptTimers(ARN, { deadline: 2_000, heartbeatDeadline: 1_000 }, () => fired.push('timeout'), () => fired.push('heartbeat'));

    await clock.advance(1_000);
    timers.clearAttemptTimers(ARN);
    await clock.advance(5_000);

    expect(fired).toEqual(['heartbeat', 'state']);
  });

  it('clears every timer of every execution', async () => {
    const clock = new ManualClock(0);
    const timers = new ExecutionTimers(clock);
    const fired: string[] = [];
    timers.armExecutionTimeout(ARN, 1_000, () => fired.push('execution'));
    timers.armStateTimer(`${ARN}-2`, 1_000, () => fired.push('state'));

    timers.clearAll();
    await clock.advance(5_000);

    expect(fired).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
