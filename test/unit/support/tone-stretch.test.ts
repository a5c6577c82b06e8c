/** The recording tests' shared stretch check: bridged dropouts reported with their stretch, and the parts between them. */
import { describe, expect, it } from 'vitest';
import { ANALYSIS_RATE, findPresence, toneTrack } from '#harness/tones';
import { describeStretches, expectOneStretch, expectStretches, partsBetweenDropouts } from '#test/support/tone-stretch';

/** 220 Hz at 0.1 from 0.5 s to 3.5 s, with everything silent over `gaps` (seconds), 4 s in all. */
function toneWithGaps(gaps: [number, number][]): Float32Array {
  const out = new Float32Array(4 * ANALYSIS_RATE);
  for (let i = Math.round(0.5 * ANALYSIS_RATE); i < 3.5 * ANALYSIS_RATE; i++) {
    const t = i / ANALYSIS_RATE;
    if (!gaps.some(([from, to]) => t >= from && t < to)) out[i] = 0.1 * Math.sin(2 * Math.PI * 220 * t);
  }
  return out;
}

describe('The stretch check of the recording tests', () => {
  it('bridges a whole-stream dropout, keeps it with its stretch, and leaves its edges out of the parts', () => {
    const samples = toneWithGaps([[2, 2.2]]);
    const notes: string[] = [];
    const heard = expectOneStretch(findPresence(toneTrack(samples, 220), 0.01), { startSeconds: 0.5, endSeconds: 3.5 }, 'bed', { samples, notes, toleranceSeconds: 0.1 });
    expect(heard.dropouts).toHaveLength(1);
    expect(notes[0]).toMatch(/^bed: found 0\.\d\d–3\.\d\d s \(the whole stream silent 2\.\d\d–2\.\d\d s, bridged\), expected 0\.50–3\.50 s$/);
    const parts = partsBetweenDropouts(heard, 0.1);
    expect(parts).toHaveLength(2);
    expect(parts[0]!.endSeconds).toBeLessThan(heard.dropouts[0]!.startSeconds);
    expect(parts[1]!.startSeconds).toBeGreaterThan(heard.dropouts[0]!.endSeconds);
    expect(parts[0]!.startSeconds).toBeCloseTo(heard.startSeconds - 0.1, 5);
    expect(parts[1]!.endSeconds).toBeCloseTo(heard.endSeconds + 0.1, 5);
  });

  it('fails on a gap too long for a dropout, on a stretch off by more than the tolerance, and on a count that differs', () => {
    const samples = toneWithGaps([[1.5, 2.5]]);
    const found = findPresence(toneTrack(samples, 220), 0.01);
    const check = { samples, notes: [] as string[], toleranceSeconds: 0.1 };
    expect(() => expectOneStretch(found, { startSeconds: 0.5, endSeconds: 3.5 }, 'gap', check)).toThrow(/gap: found .+, .+ s, expected 0\.50–3\.50 s/);
    const both = expectStretches(found, [{ startSeconds: 0.5, endSeconds: 1.5 }, { startSeconds: 2.5, endSeconds: 3.5 }], 'two', check);
    expect(both.map((s) => s.dropouts)).toEqual([[], []]);
    expect(() => expectStretches(found, [{ startSeconds: 0.5, endSeconds: 1.5 }, { startSeconds: 2.8, endSeconds: 3.5 }], 'late', check)).toThrow(/late/);
    expect(describeStretches([])).toBe('none');
  });
});
