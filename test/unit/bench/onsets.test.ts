import { describe, expect, it } from 'vitest';
import { matchOnsets, toneOnsets } from '#bench/audio/onsets';
import { ANALYSIS_RATE } from '#harness/tones';

/** Silence with bursts of a sine at the given start times (seconds), each `length` s long. */
function bursts(seconds: number, frequency: number, starts: number[], length = 0.5): Float32Array {
  const samples = new Float32Array(Math.round(seconds * ANALYSIS_RATE));
  for (const start of starts) {
    const from = Math.round(start * ANALYSIS_RATE);
    for (let i = 0; i < length * ANALYSIS_RATE; i++) samples[from + i] = 0.1 * Math.sin((2 * Math.PI * frequency * i) / ANALYSIS_RATE);
  }
  return samples;
}

describe('Tone onsets against the moments they were asked for', () => {
  it('finds each burst of a frequency to within 20 ms, and ignores another frequency', () => {
    const samples = bursts(6, 1000, [0.7, 2.2, 4.05]);
    const other = bursts(6, 1500, [1.5]);
    for (let i = 0; i < samples.length; i++) samples[i]! += other[i]!;
    const onsets = toneOnsets(samples, 1000);
    expect(onsets).toHaveLength(3);
    [0.7, 2.2, 4.05].forEach((t, i) => expect(Math.abs(onsets[i]! - t)).toBeLessThan(0.02));
    expect(toneOnsets(samples, 1500)).toHaveLength(1);
  });

  it('finds nothing in silence', () => {
    expect(toneOnsets(new Float32Array(ANALYSIS_RATE), 1000)).toEqual([]);
  });

  it('pairs each event with the first onset after it, before the next event', () => {
    const { latencies, unmatched } = matchOnsets([1000, 3000, 5000], [1180, 3250, 9000], { maxLatencyMs: 1500 });
    expect(latencies).toEqual([180, 250]);
    expect(unmatched).toBe(1);
  });

  it('does not give one onset to two events, nor take an onset before its event', () => {
    const { latencies, unmatched } = matchOnsets([1000, 1100], [900, 1200], { maxLatencyMs: 1000 });
    expect(latencies).toEqual([100]);
    expect(unmatched).toBe(1);
  });

  it('accepts an onset a little before its event when allowed (clock granularity)', () => {
    expect(matchOnsets([1000], [995], { maxLatencyMs: 500, earlyMs: 10 }).latencies).toEqual([-5]);
  });
});

import { parsePlaylistParts } from '#bench/audio/recording';

describe('Recording playlist parts', () => {
  it('splits a rendition playlist into parts at each map, each with its wall-clock start and segments', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MAP:URI="init-0.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-05T05:30:00.000Z',
      '#EXTINF:2.0,',
      '0.mp4',
      '#EXTINF:2.0,',
      '1.mp4',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="init-1.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-05T05:31:00.000Z',
      '#EXTINF:2.0,',
      '2.mp4',
      '#EXT-X-ENDLIST',
    ].join('\n');
    expect(parsePlaylistParts(text)).toEqual([
      { programDateTime: Date.parse('2026-11-05T05:30:00.000Z'), initUri: 'init-0.mp4', segmentUris: ['0.mp4', '1.mp4'] },
      { programDateTime: Date.parse('2026-11-05T05:31:00.000Z'), initUri: 'init-1.mp4', segmentUris: ['2.mp4'] },
    ]);
  });
});

import { outOfOrder } from '#bench/figures/load';
import { largestGap } from '#bench/figures/shows';

describe('Load and shows checks', () => {
  it('counts commands applied before one accepted earlier on the same connection', () => {
    const applied: Record<string, number> = { a: 10, b: 20, c: 15, d: 30, e: Number.NaN };
    expect(outOfOrder(['a', 'b', 'c', 'd', 'e'], (id) => applied[id]!)).toBe(1);
    expect(outOfOrder(['a', 'b', 'd'], (id) => applied[id]!)).toBe(0);
  });

  it('finds the largest gap between distinct report times', () => {
    expect(largestGap([1000, 1000, 6000, 8000, 14_500])).toBe(6500);
    expect(largestGap([5])).toBe(0);
  });
});
