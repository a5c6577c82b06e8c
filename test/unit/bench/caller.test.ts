import { describe, expect, it } from 'vitest';
import { callerFigure, type CallerMeasurement } from '#bench/figures/caller';
import type { ReceivedAudioStats } from '#harness/caller-page';

/** Stats read at a beep's POST: the buffer's running sums after `emitted` samples at `delayMs` each, and what it stretched. */
const stats = (emitted: number, delayMs: number, inserted = 0): ReceivedAudioStats => ({
  atMs: 0,
  jitterBufferDelay: (emitted * delayMs) / 1000,
  jitterBufferEmittedCount: emitted,
  concealedSamples: 0,
  packetsLost: 0,
  insertedSamplesForDeceleration: inserted,
  removedSamplesForAcceleration: 0,
  jitter: 0.002,
});

const measured = (latencies: number[], extra: Partial<CallerMeasurement> = {}): CallerMeasurement => ({
  asked: latencies.length,
  sent: latencies.length,
  latencies,
  toApplied: latencies.map(() => 70),
  appliedToHeard: latencies.map((ms) => ms - 70),
  unheard: 0,
  received: [stats(0, 0), stats(96_000, 40), stats(192_000, 40, 4800)],
  videoPackets: 0,
  notes: [],
  ...extra,
});

describe('the caller-hears-the-track figure', () => {
  it('passes at p95 ≤ 250 ms with every beep heard, and splits each beep at appliedAt', () => {
    const figure = callerFigure(measured([150, 160, 170, 180, 240]));
    expect(figure.pass).toBe(true);
    expect(figure.values).toMatchObject({ heard: 5, notHeard: 0, videoPacketsReceived: 0 });
    const [toApplied, toHeard, buffer] = Object.values(figure.breakdown ?? {});
    expect(toApplied).toMatchObject({ count: 5, p50: 70 });
    expect(toHeard).toMatchObject({ count: 5, max: 170 });
    // Each beep's 2 s of the buffer: 40 ms average; the second stretched in 4800 samples (100 ms).
    expect(buffer).toMatchObject({ count: 2, p50: 40 });
    expect(figure.notes.join('\n')).toContain('stretched in (+) or cut out (−) by the buffer in each: 0, 100');
  });

  it('misses on a slow p95 or a beep not heard', () => {
    expect(callerFigure(measured([150, 160, 170, 180, 260])).pass).toBe(false);
    expect(callerFigure(measured([150, 160], { unheard: 1, asked: 3, sent: 3 })).checks.find((c) => c.name === 'beeps not heard')).toMatchObject({ value: 1, pass: false });
  });
});
