/** Types of voice-ducking.js (plain JavaScript, run by Chromium's audio worklet and page, and by the unit tests). */
export interface VadState {
  speaking: boolean;
  above: number;
  below: number;
}

export interface VadParams {
  thresholdDbfs: number;
  onsetFrames: number;
  holdFrames: number;
}

export declare const SILENCE_DBFS: number;
export declare function dbToGain(db: number): number;
export declare function timeConstantFor(seconds: number): number;
export declare function duckGainAt(from: number, to: number, seconds: number, t: number): number;
export declare function levelDbfs(samples: ArrayLike<number>): number;
export declare function vadStep(state: VadState, levelDb: number, params: VadParams): { state: VadState; change: 'start' | 'end' | null };

export declare class VoiceActivityDetector {
  constructor(options: { sampleRate: number; frameSeconds: number; thresholdDbfs: number; onsetSeconds: number; holdSeconds: number });
  readonly frameLength: number;
  readonly params: VadParams;
  readonly speaking: boolean;
  process(samples: Float32Array): { change: 'start' | 'end'; atSample: number }[];
}

export declare class DuckDecision {
  readonly ducked: boolean;
  enabled: boolean;
  voice(id: string, speaking: boolean): 'duck' | 'unduck' | null;
  setEnabled(enabled: boolean): 'duck' | 'unduck' | null;
  update(): 'duck' | 'unduck' | null;
}
