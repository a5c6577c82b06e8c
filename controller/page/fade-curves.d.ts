/** Types of fade-curves.js (plain JavaScript, run by Chromium and by the unit tests). */
export type FadeShape = 's' | 'power-in' | 'power-out';

export interface Segment {
  from: number;
  to: number;
  start: number;
  duration: number;
  shape: FadeShape;
}

export declare const MIN_RAMP_SECONDS: number;
export declare const CURVE_POINTS_PER_SECOND: number;
export declare function shapeAt(shape: FadeShape, x: number): number;
export declare function fadeCurve(from: number, to: number, points: number, shape: FadeShape): Float32Array;
export declare function segmentValueAt(segment: Segment, t: number): number;

export declare class Envelope {
  constructor(param: AudioParam, context: BaseAudioContext, initial?: number);
  segment: Segment;
  valueAt(t?: number): number;
  readonly target: number;
  fadeTo(to: number, seconds: number, shape?: FadeShape): number;
}
