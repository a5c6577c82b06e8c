/**
 * Sessions: their states, why they end, and what plays in them. The stored record is in records.ts.
 */
import type { DecksNowPlaying } from './decks.ts';

export const SESSION_STATUSES = ['STARTING', 'LIVE', 'ENDING', 'ENDED', 'FAILED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Statuses from which a session can still be ended. */
export const ACTIVE_SESSION_STATUSES: readonly SessionStatus[] = ['STARTING', 'LIVE'];

/** Why a session ended; `reason` on the record. */
export const END_REASONS = {
  ENDED_BY_HOST: 'The host ended the show.',
  MAX_DURATION: 'The show reached its maximum length.',
  CONTROLLER_NOT_READY: 'The program controller did not join the stage in time.',
  CONTROLLER_FAILED: 'The program controller could not join the stage.',
  CONTROLLER_LOST: 'The program controller was lost and could not be replaced.',
  CONTROLLER_STOPPED: 'The program controller task stopped before the show went live, and could not be replaced.',
  STEP_FAILED: 'A step of the session lifecycle failed.',
} as const;
export type EndReason = keyof typeof END_REASONS;

/** End reasons after which the session is ENDED (not FAILED). */
export const CLEAN_END_REASONS: readonly EndReason[] = ['ENDED_BY_HOST', 'MAX_DURATION'];

/** What the controller reports as now playing: the program deck's track at the top, every deck in `decks`. */
export interface NowPlaying {
  programId: string | null;
  state: 'PLAYING' | 'PAUSED' | 'STOPPED';
  positionSeconds: number;
  durationSeconds: number | null;
  volume: number;
  /** ISO time the position was measured at (position advances from here while PLAYING). */
  updatedAt: string;
  /** Every deck (absent from records written before there were decks). */
  decks?: DecksNowPlaying;
}

/** Session ids are UUIDs (lowercase), so they fit queue names, execution names and task `startedBy`. */
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
