import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acrossDropouts,
  ANALYSIS_RATE,
  decodeMono,
  findPresence,
  largestStep,
  medianAmplitude,
  toneAmplitude,
  toneTrack,
  writeToneWav,
} from '#harness/tones';

/** A sine of `amplitude` at `frequency` for `seconds`, after `offsetSeconds` of silence. */
function sine(frequency: number, amplitude: number, seconds: number, offsetSeconds = 0): Float32Array {
  const out = new Float32Array(Math.round((offsetSeconds + seconds) * ANALYSIS_RATE));
  for (let i = Math.round(offsetSeconds * ANALYSIS_RATE); i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / ANALYSIS_RATE);
  return out;
}

describe('The tone detector of the system tests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tones-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the amplitude of the frequency asked for, and next to nothing of another one', () => {
    const signal = sine(440, 0.25, 0.2);
    expect(toneAmplitude(signal, 0, 2400, 440)).toBeCloseTo(0.25, 2);
    expect(toneAmplitude(signal, 0, 2400, 660)).toBeLessThan(0.001);
    expect(toneAmplitude(signal, 0, 2400, 880)).toBeLessThan(0.001);
  });

  it('finds where a tone starts and ends to within a hop, bridging nothing and dropping nothing real', () => {
    const signal = new Float32Array([...sine(880, 0.1, 1.5, 0.7), ...new Float32Array(ANALYSIS_RATE)]);
    const found = findPresence(toneTrack(signal, 880), 0.01);
    expect(found).toHaveLength(1);
    expect(found[0]!.startSeconds).toBeCloseTo(0.7, 1);
    expect(found[0]!.endSeconds).toBeCloseTo(2.2, 1);
    expect(findPresence(toneTrack(signal, 440), 0.01)).toEqual([]);
  });

  it('joins a tone across a dropout of the whole mix, but not across a gap where the rest of the mix goes on', () => {
    const mix = (bedGap: [number, number], otherGap?: [number, number]) => {
      const bed = sine(220, 0.1, 4);
      const other = sine(1000, 0.1, 4);
      const out = new Float32Array(bed.length);
      const inGap = (i: number, gap?: [number, number]) => gap !== undefined && i >= gap[0] * ANALYSIS_RATE && i < gap[1] * ANALYSIS_RATE;
      for (let i = 0; i < out.length; i++) out[i] = (inGap(i, bedGap) ? 0 : bed[i]!) + (inGap(i, otherGap) ? 0 : other[i]!);
      return out;
    };
    // Everything silent for 0.2 s at 2 s: the stream dropped out; the bed is one stretch.
    const dropped = mix([2, 2.2], [2, 2.2]);
    const joined = acrossDropouts(findPresence(toneTrack(dropped, 220), 0.01), dropped);
    expect(joined.stretches).toHaveLength(1);
    expect(joined.dropouts).toHaveLength(1);
    expect(joined.dropouts[0]!.startSeconds).toBeCloseTo(2, 1);
    // Only the bed gone for 0.2 s while the other tone plays on: the bed's own gap stays.
    const bedOnly = mix([2, 2.2]);
    expect(acrossDropouts(findPresence(toneTrack(bedOnly, 220), 0.01), bedOnly)).toMatchObject({ dropouts: [], stretches: [{}, {}] });
    // Everything silent for 0.8 s: longer than a dropout, a gap.
    const long = mix([1, 1.8], [1, 1.8]);
    expect(acrossDropouts(findPresence(toneTrack(long, 220), 0.01), long).stretches).toHaveLength(2);
  });

  it('sees a click as a step no clean sine makes, and a level as its median amplitude', () => {
    const signal = sine(440, 0.125, 1);
    const clean = largestStep(signal, 0, 1);
    expect(clean).toBeCloseTo((2 * Math.PI * 440 * 0.125) / ANALYSIS_RATE, 3);
    signal[ANALYSIS_RATE / 2] = signal[ANALYSIS_RATE / 2]! + 0.05;
    expect(largestStep(signal, 0, 1)).toBeGreaterThan(clean * 4);
    expect(medianAmplitude(toneTrack(signal, 440), 0, 1)).toBeCloseTo(0.125, 2);
  });

  it('writes tone files with ffmpeg and decodes them back, one span after the other', async () => {
    const path = join(dir, 'sweep.wav');
    await writeToneWav(path, [
      { frequency: 440, seconds: 1 },
      { frequency: 660, seconds: 1 },
    ]);
    const samples = await decodeMono(path);
    expect(samples.length / ANALYSIS_RATE).toBeCloseTo(2, 2);
    const low = findPresence(toneTrack(samples, 440), 0.01);
    const high = findPresence(toneTrack(samples, 660), 0.01);
    expect(low).toHaveLength(1);
    expect(high).toHaveLength(1);
    expect(low[0]!.endSeconds).toBeCloseTo(1, 1);
    expect(high[0]!.startSeconds).toBeCloseTo(1, 1);
    expect(medianAmplitude(toneTrack(samples, 440), 0.1, 0.9)).toBeCloseTo(0.125, 2);
  });
});
