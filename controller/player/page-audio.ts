/**
 * What the player needs from the page's mixing desk (controller/page/audio-program.js): voices (one per
 * PLAY, each an `<audio>` element streaming its track) on decks, with fades. The real one drives Chromium
 * (ProgramPage); unit tests use a fake.
 */
import type { Deck, DuckableDeck, DuckingSettings, DuckingTiming } from '#contract/index';

export interface VoiceStatus {
  positionSeconds: number;
  durationSeconds: number;
  /** Playing (not paused, not fading out to a pause or a stop, not ended). */
  playing: boolean;
  /** Played to its end by itself. */
  ended: boolean;
  /** Its element was let go (ended, or stopped). */
  released: boolean;
  /** The element's error, when it failed (a read that could not be mended, ...). */
  error?: string;
}

export interface DeskStatus {
  /** Every voice the page still knows, by id. */
  voices: Record<string, VoiceStatus>;
  /** RMS level of the published audio, 0..1. */
  level: number;
}

export interface StartOptions {
  /** Loudness gain of the track (dB), set before it starts. */
  gainDb: number;
  fadeInSeconds: number;
  /** Another voice to fade out (and forget) as this one starts; `crossfade` uses the equal-power pair. */
  replace?: { voiceId: string; fadeOutSeconds: number; crossfade: boolean };
  /** What the video tile names (the program deck's track). */
  label: string;
}

/** A voice's load, done: the track's duration, and whether it may start (see PageAudio.load). */
export interface VoiceLoaded {
  durationSeconds: number;
  startable: boolean;
}

/** A start's outcome: whether the voice started, and the wall-clock time (ms since the epoch) it began to play. */
export interface VoiceStarted {
  started: boolean;
  atMs: number;
}

export interface PageAudio {
  /**
   * When the page last changed what is heard, by its own clock (ms since the epoch; 0 or absent before any
   * change): the as-run log's time of a pause, resume, stop, seek or fade, as a start's is its `atMs`. Without
   * it the controller's clock is used, later by the answer's trip back from the page.
   */
  readonly lastChangeAtMs?: number;
  /**
   * Creates a voice on a deck and loads its media (a page server path) ready to play at an offset; returns the
   * duration. A track longer than `maxSeconds`, or whose offset lies at or past its end, is let go at once and
   * comes back `startable: false`; a load that fails forgets its voice too.
   */
  load(voiceId: string, deck: Deck, mediaPath: string, startAtSeconds: number, maxSeconds: number): Promise<VoiceLoaded>;
  /**
   * Starts a voice, once its load is done (a start may be sent right behind its load, saving a round trip):
   * `started: false` when that load failed or refused the track.
   */
  start(voiceId: string, options: StartOptions): Promise<VoiceStarted>;
  /** Fades out, then pauses. */
  pause(voiceId: string, fadeOutSeconds: number): Promise<void>;
  /** Fades out and plays on, silent, to its end (still playing: it ends, and is reported, when it would have). */
  fadeOut(voiceId: string, fadeOutSeconds: number): Promise<void>;
  /** Plays again with a fade-in. */
  resume(voiceId: string, fadeInSeconds: number): Promise<void>;
  /** Fades out and forgets the voice (its element is let go after the fade). */
  stop(voiceId: string, fadeOutSeconds: number): Promise<void>;
  seek(voiceId: string, seconds: number): Promise<void>;
  /** Ramps a voice's loudness gain (dB). */
  setGain(voiceId: string, gainDb: number): Promise<void>;
  /** Ramps a deck's volume (0..1). */
  setDeckVolume(deck: Deck, volume: number): Promise<void>;
  /** Ducking under voices (the page's VoiceDucker): the show's settings and the contract's timing. */
  setDucking(settings: DuckingSettings, timing: DuckingTiming): Promise<void>;
  status(): Promise<DeskStatus>;
}

/** A duck or its end, as the page reports it (wall clock, and the settings it used). */
export interface DuckChange {
  event: 'DUCK' | 'UNDUCK';
  atMs: number;
  depthDb: number;
  decks: DuckableDeck[];
  /** `VOICE` (someone started or stopped speaking) or `SET_DUCKING` (the settings changed). */
  cause: string;
}
