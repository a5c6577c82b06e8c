import { describe, expect, it } from 'vitest';
import { RUN_BUDGET_MS, SHARE_SECONDS, SOFT_BUDGET_MS, stepDeadline } from '#bench/budget';

describe("the benchmark's time budget", () => {
  it("gives every step a share, and the shares fit the soft budget (under issue 7's 15 minutes)", () => {
    const total = Object.values(SHARE_SECONDS).reduce((sum, s) => sum + s, 0);
    expect(total * 1000).toBeLessThanOrEqual(SOFT_BUDGET_MS);
    expect(SOFT_BUDGET_MS).toBeLessThan(RUN_BUDGET_MS);
    expect(RUN_BUDGET_MS).toBeLessThanOrEqual(15 * 60 * 1000);
    for (const share of Object.values(SHARE_SECONDS)) expect(share).toBeGreaterThan(0);
  });

  it('gives a step its whole share while the run is on time', () => {
    const softEnd = 800_000;
    // 100 s of shares from t=0, 800 s left: the step's 60 s are whole.
    expect(stepDeadline(0, 60, 100, softEnd)).toBe(60_000);
  });

  it('shrinks the later shares in proportion when the steps before ran over theirs, so the last still gets time', () => {
    const softEnd = 800_000;
    // 400 s of shares still to run, 200 s left: each gets half of its share.
    expect(stepDeadline(600_000, 240, 400, softEnd)).toBe(720_000);
    // The last step gets what is left, not nothing.
    expect(stepDeadline(700_000, 240, 240, softEnd)).toBe(softEnd);
  });

  it('never reaches past the soft end', () => {
    expect(stepDeadline(900_000, 60, 60, 800_000)).toBe(800_000);
  });
});
