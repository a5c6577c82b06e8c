/** The shows-at-once figure's commands per step: enough for its p95 not to be a single command's time. */
import { describe, expect, it } from 'vitest';
import { commandsPerStep } from '#bench/figures/shows';
import { percentileOfSorted } from '#bench/stats';

describe('Shows at once: commands timed per step', () => {
  it("times at least 20 commands, two per show live, so one slow command is not the step's p95", () => {
    expect(commandsPerStep(1)).toBe(20);
    expect(commandsPerStep(10)).toBe(20);
    expect(commandsPerStep(12)).toBe(24);
    for (const shows of [1, 5, 10, 12]) {
      const latencies = [...Array.from({ length: commandsPerStep(shows) - 1 }, () => 50), 900];
      expect(percentileOfSorted(latencies, 95)).toBe(50);
    }
  });
});
