/** Types of voice-ducker.js (plain JavaScript, run by Chromium's page, and by the unit tests with a fake context). */
import type { DuckingSettings, DuckingTiming } from '#contract/index';

export interface DuckChange {
  event: 'DUCK' | 'UNDUCK';
  atMs: number;
  depthDb: number;
  decks: string[];
  cause: string;
}

/** What the ducker uses of an AudioContext outside addVoice. */
export interface DuckerContext {
  readonly currentTime: number;
  audioWorklet: { addModule(url: string): Promise<void> };
}

/** What the ducker uses of a deck's duck GainNode. */
export interface DuckGain {
  gain: Pick<AudioParam, 'value' | 'cancelScheduledValues' | 'setValueAtTime' | 'setTargetAtTime'>;
}

export declare class VoiceDucker {
  constructor(context: DuckerContext, duckGains: Record<string, DuckGain>, onChange: (change: DuckChange) => void);
  readonly ready: Promise<void>;
  configure(settings: DuckingSettings, timing: DuckingTiming): void;
  addVoice(id: string, track: MediaStreamTrack): Promise<void>;
  removeVoice(id: string): void;
  heard(id: string, speaking: boolean): void;
  status(): { listening: string[]; speaking: string[]; ducked: { decks: string[]; depthDb: number } | null; settings: DuckingSettings };
}
