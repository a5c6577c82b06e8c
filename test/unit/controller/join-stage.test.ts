import { describe, expect, it } from 'vitest';
import { JOIN_ATTEMPTS, joinStage } from '#controller/join-stage';
import { silentLogger } from './test-logger.ts';

describe('joinStage', () => {
  it('joins again after a failed attempt, with what is left of the deadline', async () => {
    let clock = 1000;
    const timeouts: number[] = [];
    const joined = await joinStage(
      async (timeoutMs) => {
        timeouts.push(timeoutMs);
        clock += 400;
        if (timeouts.length === 1) throw new Error('Joining the stage failed: the peer connection failed');
        return 'joined';
      },
      { deadlineMs: 11_000, logger: silentLogger(), now: () => clock },
    );
    expect(joined).toBe('joined');
    expect(timeouts).toEqual([10_000, 9_600]);
  });

  it(`reports the last error after ${JOIN_ATTEMPTS} failed attempts`, async () => {
    let attempts = 0;
    const joining = joinStage(
      async () => {
        attempts++;
        throw new Error(`refused ${attempts}`);
      },
      { deadlineMs: Date.now() + 10_000, logger: silentLogger() },
    );
    await expect(joining).rejects.toThrow(`refused ${JOIN_ATTEMPTS}`);
    expect(attempts).toBe(JOIN_ATTEMPTS);
  });

  it('does not try again once the deadline has passed (a timed-out join)', async () => {
    let clock = 0;
    let attempts = 0;
    const joining = joinStage(
      async () => {
        attempts++;
        clock = 5000;
        throw new Error('no connection within 5 s');
      },
      { deadlineMs: 5000, logger: silentLogger(), now: () => clock },
    );
    await expect(joining).rejects.toThrow('no connection within 5 s');
    expect(attempts).toBe(1);
  });
});
