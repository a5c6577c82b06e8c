/**
 * The mixing desk: the decks a track can play on, the fades a command may ask for, and the loudness the
 * program is played at. The command schema (commands.ts), the controller, the console and the docs read
 * these numbers from here.
 *
 * - `program`: one track at a time; a new PLAY replaces what plays there (with a crossfade if asked).
 * - `bed`: a continuous layer under the show; replaced by the next PLAY on the bed.
 * - `clip`: one-shots over everything; several may sound at once and none stops another.
 */
import type { DuckingSettings } from './ducking.ts';

export const DECKS = ['program', 'bed', 'clip'] as const;
export type Deck = (typeof DECKS)[number];
export const DEFAULT_DECK: Deck = 'program';

/** Decks a SEEK may name: a clip is a one-shot and is not sought. */
export const SEEKABLE_DECKS = ['program', 'bed'] as const satisfies readonly Deck[];

/** Longest fade-in, fade-out or crossfade a command may ask for. */
export const MAX_FADE_SECONDS = 10;

/** Most clips sounding at once; a PLAY on the clip deck beyond it is FAILED. */
export const MAX_CLIPS_AT_ONCE = 8;

/** Integrated loudness (EBU R128) every track is played at while loudness normalisation is on (the podcast norm). */
export const TARGET_LOUDNESS_LUFS = -16;

/** The ceiling of the program's true peak: a limiter on the mix keeps it below, whatever the decks add up to. */
export const TRUE_PEAK_CEILING_DBTP = -1;

/** The largest gain normalisation applies either way (a near-silent track is not raised without bound). */
export const MAX_NORMALIZATION_GAIN_DB = 24;

/** Gain (dB) that brings a track measured at `integratedLufs` to TARGET_LOUDNESS_LUFS, within ±MAX_NORMALIZATION_GAIN_DB. */
export function normalizationGainDb(integratedLufs: number): number {
  const gain = TARGET_LOUDNESS_LUFS - integratedLufs;
  return Math.max(-MAX_NORMALIZATION_GAIN_DB, Math.min(MAX_NORMALIZATION_GAIN_DB, gain));
}

/** A track's loudness, measured once after it was created (EBU R128 integrated loudness and true peak). */
export interface TrackLoudness {
  integratedLufs: number;
  truePeakDbtp: number;
  measuredAt: string;
}

export type DeckPlayState = 'PLAYING' | 'PAUSED' | 'STOPPED';

/** What one track on a deck does now. */
export interface DeckTrackNowPlaying {
  programId: string;
  state: DeckPlayState;
  positionSeconds: number;
  durationSeconds: number;
  /** Loudness gain applied to the track (dB; 0 when normalisation is off or the track is not measured). */
  gainDb: number;
}

/** A single-track deck (program, bed): its track, if any, and its volume. */
export interface SingleDeckNowPlaying {
  programId: string | null;
  state: DeckPlayState;
  positionSeconds: number;
  durationSeconds: number | null;
  volume: number;
  gainDb: number;
}

/** The clip deck: the clips sounding now (oldest first) and the deck's volume. */
export interface ClipDeckNowPlaying {
  volume: number;
  clips: DeckTrackNowPlaying[];
}

/** Every deck's state, as `nowPlaying.decks` reports it. */
export interface DecksNowPlaying {
  program: SingleDeckNowPlaying;
  bed: SingleDeckNowPlaying;
  clip: ClipDeckNowPlaying;
  /** Whether tracks are played at TARGET_LOUDNESS_LUFS (SET_LOUDNESS_NORMALIZATION; on by default). */
  normalizeLoudness: boolean;
  /** Ducking under voices as it is in force (contract/ducking.ts); absent in reports written before there was ducking. */
  ducking?: DuckingSettings;
}
