/**
 * Ducking under voices: while a host or caller speaks, the decks named here (the bed by default, the program
 * deck too if the host says so) are lowered by `depthDb` and come back when they stop. The controller's page
 * measures voice activity on the audio of the stage's other participants only (never on the program it
 * publishes) and moves each ducked deck's gain with the attack, hold and release below.
 *
 * A show's settings are given when it is created (`ducking` in POST /sessions) and switched live with the
 * SET_DUCKING command; the settings in force are shown in `nowPlaying.decks.ducking`. Each duck and its end are
 * in the as-run log (`DUCK`, `UNDUCK`), one entry per ducked deck.
 */
import { z } from 'zod';
import type { Deck } from './decks.ts';

/** Decks that may be ducked: the clip deck holds one-shots over everything and is never lowered. */
export const DUCKABLE_DECKS = ['bed', 'program'] as const satisfies readonly Deck[];
export type DuckableDeck = (typeof DUCKABLE_DECKS)[number];

/** How far a ducked deck is lowered unless the show says otherwise (dB). */
export const DEFAULT_DUCK_DEPTH_DB = 12;
/** The depths a show may ask for (dB): less than 3 dB is not heard as a duck; beyond 40 dB is a mute. */
export const MIN_DUCK_DEPTH_DB = 3;
export const MAX_DUCK_DEPTH_DB = 40;

/**
 * The envelope: the gain reaches 95 % of the way down within DUCK_ATTACK_SECONDS of a voice's onset, stays
 * down until the voice has been quiet for DUCK_HOLD_SECONDS (the gaps between words do not pump the music),
 * then comes back, 95 % of the way within DUCK_RELEASE_SECONDS. Radio practice: a fast attack so the first
 * syllable is clear, a slower release so the music swells back rather than jumps.
 */
export const DUCK_ATTACK_SECONDS = 0.1;
export const DUCK_HOLD_SECONDS = 0.3;
export const DUCK_RELEASE_SECONDS = 0.6;

/**
 * The voice-activity measure: the level (RMS over DUCK_VAD_FRAME_SECONDS, after a 100 Hz–4 kHz band-pass so
 * rumble and hiss do not count) is speech when it is above DUCK_VAD_THRESHOLD_DBFS for DUCK_VAD_ONSET_SECONDS in
 * a row (a click or a cough-length blip does not duck), and has ended after DUCK_HOLD_SECONDS below it.
 */
export const DUCK_VAD_FRAME_SECONDS = 0.01;
export const DUCK_VAD_THRESHOLD_DBFS = -45;
export const DUCK_VAD_ONSET_SECONDS = 0.03;

/** A show's ducking settings as kept and shown (every field present). */
export interface DuckingSettings {
  enabled: boolean;
  /** How far the decks are lowered while someone speaks (dB, positive). */
  depthDb: number;
  /** Which decks are lowered (at least one). */
  decks: DuckableDeck[];
}

export const DEFAULT_DUCKING: DuckingSettings = { enabled: true, depthDb: DEFAULT_DUCK_DEPTH_DB, decks: ['bed'] };

const depthDb = z.number().finite().min(MIN_DUCK_DEPTH_DB).max(MAX_DUCK_DEPTH_DB);
const decks = z
  .array(z.enum(DUCKABLE_DECKS))
  .min(1, 'decks names at least one deck')
  .max(DUCKABLE_DECKS.length)
  .refine((list) => new Set(list).size === list.length, 'decks names a deck twice');

/** What a host may set (POST /sessions `ducking`, SET_DUCKING): any of the fields; the others stay as they were. */
export const DuckingSettingsInput = z.strictObject({
  enabled: z.boolean().optional(),
  depthDb: depthDb.optional(),
  decks: decks.optional(),
});
export type DuckingSettingsInput = z.infer<typeof DuckingSettingsInput>;

/** The settings after a change: the fields given replace those in force. */
export function mergeDucking(current: DuckingSettings, change: DuckingSettingsInput): DuckingSettings {
  return {
    enabled: change.enabled ?? current.enabled,
    depthDb: change.depthDb ?? current.depthDb,
    decks: change.decks ? [...change.decks] : [...current.decks],
  };
}

/** The timing the page's ducker runs with (the numbers above, sent to it with the settings). */
export interface DuckingTiming {
  attackSeconds: number;
  holdSeconds: number;
  releaseSeconds: number;
  frameSeconds: number;
  thresholdDbfs: number;
  onsetSeconds: number;
}

export const DUCKING_TIMING: DuckingTiming = {
  attackSeconds: DUCK_ATTACK_SECONDS,
  holdSeconds: DUCK_HOLD_SECONDS,
  releaseSeconds: DUCK_RELEASE_SECONDS,
  frameSeconds: DUCK_VAD_FRAME_SECONDS,
  thresholdDbfs: DUCK_VAD_THRESHOLD_DBFS,
  onsetSeconds: DUCK_VAD_ONSET_SECONDS,
};
