import { describe, expect, it } from 'vitest';
// The page's modules are plain JavaScript run by Chromium; the curves are pure and run here as they are.
import { fadeCurve, segmentValueAt, shapeAt } from '#controller-page/fade-curves';

describe('fade shapes', () => {
  it('raised cosine: flat at both ends, half way at the middle', () => {
    expect(shapeAt('s', 0)).toBe(0);
    expect(shapeAt('s', 0.5)).toBeCloseTo(0.5, 10);
    expect(shapeAt('s', 1)).toBe(1);
    expect(shapeAt('s', 0.01)).toBeLessThan(0.001);
  });

  it('equal-power pair: in² + out² = 1 all along a crossfade', () => {
    for (let x = 0; x <= 1; x += 0.05) {
      const incoming = shapeAt('power-in', x);
      const outgoing = 1 - shapeAt('power-out', x);
      expect(incoming ** 2 + outgoing ** 2).toBeCloseTo(1, 10);
    }
    expect(1 - shapeAt('power-out', 0.5)).toBeCloseTo(Math.SQRT1_2, 10);
  });

  it('a curve starts exactly where the envelope is and ends at the target', () => {
    const curve = fadeCurve(0.37, 0, 201, 's');
    expect(curve[0]).toBeCloseTo(0.37, 6);
    expect(curve.at(-1)).toBe(0);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeLessThanOrEqual(curve[i - 1]!);
  });

  it('a segment gives its value at any time: before, during and after the fade', () => {
    const segment = { from: 1, to: 0, start: 10, duration: 2, shape: 's' as const };
    expect(segmentValueAt(segment, 9)).toBe(1);
    expect(segmentValueAt(segment, 11)).toBeCloseTo(0.5, 10);
    expect(segmentValueAt(segment, 13)).toBe(0);
  });
});
