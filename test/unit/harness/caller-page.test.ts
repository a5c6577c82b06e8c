import { describe, expect, it } from 'vitest';
import { jitterBufferDelayBetween, onsetAfter, stretchedMsBetween, whilePlaying, type ReceivedAudioStats } from '#harness/caller-page';

const stats = (jitterBufferDelay: number, jitterBufferEmittedCount: number): ReceivedAudioStats => ({
  atMs: 0,
  jitterBufferDelay,
  jitterBufferEmittedCount,
  concealedSamples: 0,
  packetsLost: 0,
  insertedSamplesForDeceleration: 0,
  removedSamplesForAcceleration: 0,
  jitter: 0,
});

describe("the caller page's readings", () => {
  it('averages the jitter-buffer delay of the samples emitted between two readings, in ms', () => {
    // 96 000 samples (2 s at 48 kHz) that spent 4 800 s in the buffer together: 50 ms each.
    expect(jitterBufferDelayBetween(stats(100, 1_000_000), stats(4_900, 1_096_000))).toBeCloseTo(50, 6);
    expect(jitterBufferDelayBetween(stats(100, 1_000), stats(100, 1_000))).toBeUndefined();
  });

  it('gives what the jitter buffer stretched in less what it cut out, in ms of 48 kHz audio', () => {
    const at = (inserted: number, removed: number): ReceivedAudioStats => ({ ...stats(0, 0), insertedSamplesForDeceleration: inserted, removedSamplesForAcceleration: removed });
    expect(stretchedMsBetween(at(1_000, 0), at(3_880, 480))).toBeCloseTo(50, 6);
    expect(stretchedMsBetween(at(0, 0), at(0, 960))).toBeCloseTo(-20, 6);
  });

  it('finds the first onset above the threshold from a moment, and judges a tone by its median and dropouts', () => {
    const readings = [
      { atMs: 0, amplitude: 0.2 },
      { atMs: 10, amplitude: 0.01 },
      { atMs: 20, amplitude: 0.12 },
      { atMs: 30, amplitude: 0.11 },
    ];
    expect(onsetAfter(readings, 5, 0.03)).toEqual({ atMs: 20, amplitude: 0.12 });
    expect(onsetAfter(readings, 31, 0.03)).toBeUndefined();
    expect(whilePlaying(readings, 0.05)).toEqual({ median: 0.12, dropoutShare: 0.25, longestDropoutMs: 10 });
  });

  it('measures the longest dropout, to the next reading heard or to the last reading', () => {
    const at = (atMs: number, amplitude: number) => ({ atMs, amplitude });
    const readings = [at(0, 0.2), at(10, 0.01), at(20, 0.01), at(30, 0.01), at(40, 0.2), at(50, 0.01), at(60, 0.2)];
    expect(whilePlaying(readings, 0.05).longestDropoutMs).toBe(30);
    expect(whilePlaying([...readings, at(70, 0.01), at(80, 0.01), at(130, 0.01)], 0.05).longestDropoutMs).toBe(60);
    expect(whilePlaying([at(0, 0.2), at(10, 0.3)], 0.05).longestDropoutMs).toBe(0);
  });
});
