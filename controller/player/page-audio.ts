/**
 * What the player needs from the page's audio graph. The real one drives Chromium (ProgramPage);
 * tests use a fake.
 */

export interface PageAudioStatus {
  loaded: boolean;
  playing: boolean;
  /** The program played to its end by itself. */
  ended: boolean;
  positionSeconds: number;
  durationSeconds: number | null;
  volume: number;
  /** RMS level of the published audio, 0..1. */
  level: number;
}

export interface PageAudio {
  /** Decodes a media file into the pending slot; what plays goes on. Returns the duration. */
  load(filePath: string): Promise<{ durationSeconds: number }>;
  /** Forgets a pending program. */
  discardPending(): Promise<void>;
  /** Replaces what plays with the pending program, from an offset. */
  startPending(offsetSeconds: number, programId: string): Promise<void>;
  /** Plays the current program from an offset. */
  play(offsetSeconds: number): Promise<void>;
  /** Pauses; returns the position. */
  pause(): Promise<number>;
  stop(): Promise<void>;
  seek(seconds: number): Promise<void>;
  setVolume(volume: number): Promise<void>;
  status(): Promise<PageAudioStatus>;
}
