/**
 * Fade shapes and the envelope that plays them on a GainNode's gain. Pure functions (no WebAudio) are
 * exported for the tests: the envelope keeps its own model of the curve it scheduled, so a new fade always
 * starts from the exact value the old one had reached (no step, so no click), whenever it is asked for.
 *
 * Shapes, as a function of x in [0, 1] giving the fraction of the way from `from` to `to`:
 * - `s`: raised cosine, (1 − cos πx) / 2: flat at both ends (fades in and out).
 * - `power-in`: sin(πx/2), and `power-out`: 1 − cos(πx/2): an equal-power pair (a crossfade keeps the
 *   loudness of two uncorrelated tracks even: sin² + cos² = 1).
 */

/** The shortest ramp any change of gain takes, so starts, stops, pauses and seeks never click. */
export const MIN_RAMP_SECONDS = 0.015;
/** Points per second of a scheduled curve (WebAudio interpolates linearly between them). */
export const CURVE_POINTS_PER_SECOND = 200;

/** @typedef {'s' | 'power-in' | 'power-out'} FadeShape */

/** Fraction of the way at x in [0, 1] for a shape. @param {FadeShape} shape @param {number} x */
export function shapeAt(shape, x) {
  const t = Math.min(1, Math.max(0, x));
  if (shape === 'power-in') return Math.sin((Math.PI / 2) * t);
  if (shape === 'power-out') return 1 - Math.cos((Math.PI / 2) * t);
  return (1 - Math.cos(Math.PI * t)) / 2;
}

/** The values of a fade from `from` to `to` in `points` steps (first = from, last = to). */
export function fadeCurve(from, to, points, shape) {
  const n = Math.max(2, Math.round(points));
  const curve = new Float32Array(n);
  for (let i = 0; i < n; i++) curve[i] = from + (to - from) * shapeAt(shape, i / (n - 1));
  return curve;
}

/**
 * A segment of the envelope: from `from` at `start` to `to` at `start + duration` (context seconds).
 * @typedef {{ from: number, to: number, start: number, duration: number, shape: FadeShape }} Segment
 */

/** The envelope's value at time t on a segment. @param {Segment} segment @param {number} t */
export function segmentValueAt(segment, t) {
  if (segment.duration <= 0 || t >= segment.start + segment.duration) return segment.to;
  if (t <= segment.start) return segment.from;
  return segment.from + (segment.to - segment.from) * shapeAt(segment.shape, (t - segment.start) / segment.duration);
}

/** Drives an AudioParam through fades, always from where it is. */
export class Envelope {
  /** @param {AudioParam} param @param {BaseAudioContext} context @param {number} initial */
  constructor(param, context, initial = 0) {
    this.param = param;
    this.context = context;
    /** @type {Segment} */
    this.segment = { from: initial, to: initial, start: 0, duration: 0, shape: 's' };
    param.value = initial;
  }

  /** The value the envelope has at context time t (now by default). */
  valueAt(t = this.context.currentTime) {
    return segmentValueAt(this.segment, t);
  }

  /** Where the envelope is heading (its value once the current fade is over). */
  get target() {
    return this.segment.to;
  }

  /**
   * Fades to `to` over `seconds` (at least MIN_RAMP_SECONDS) with a shape, starting one render quantum from
   * now at the value the previous fade has by then. Returns the context time the fade ends at.
   * @param {number} to @param {number} seconds @param {FadeShape} shape
   */
  fadeTo(to, seconds, shape = 's') {
    const quantum = 128 / this.context.sampleRate;
    const start = this.context.currentTime + quantum;
    const from = this.valueAt(start);
    const duration = Math.max(MIN_RAMP_SECONDS, seconds);
    this.param.cancelScheduledValues(0);
    this.param.setValueAtTime(from, this.context.currentTime);
    this.param.setValueCurveAtTime(fadeCurve(from, to, duration * CURVE_POINTS_PER_SECOND + 1, shape), start, duration);
    this.segment = { from, to, start, duration, shape };
    return start + duration;
  }
}
