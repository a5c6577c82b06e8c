/** Types of true-peak-limiter.js (plain JavaScript, run by Chromium's audio worklet and by the unit tests). */
export interface TruePeakLimiterOptions {
  sampleRate: number;
  channels: number;
  ceilingDbtp: number;
  lookaheadSeconds?: number;
  releaseSeconds?: number;
}

export declare class TruePeakLimiter {
  constructor(options: TruePeakLimiterOptions);
  /** Samples the delay line holds back the interpolator's centre sample. */
  readonly delay: number;
  /** Samples the output is behind the input. */
  readonly latency: number;
  process(input: Float32Array[], output: Float32Array[]): void;
  takeLowestGain(): number;
}
