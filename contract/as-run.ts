/**
 * The as-run log: what went out, as the controller did it. Every start, stop, fade, pause, resume, seek,
 * skip and duck is one entry, kept in the sessions table beside the session (pk `SESSION#<id>`, sk
 * `ASRUN#<at>#<seq>`), with the wall clock. GET /sessions/{id}/as-run adds the show clock (`showSeconds`, from
 * the recording's first sample) and answers them in order, or as CSV (title, file, start, duration: what a
 * music-licensing report needs).
 */
import type { Deck } from './decks.ts';

export const AS_RUN_EVENTS = ['PLAY', 'STOP', 'FADE', 'PAUSE', 'RESUME', 'SEEK', 'SKIP', 'DUCK', 'UNDUCK'] as const;
/**
 * - `PLAY`: a track started (its fade-in or crossfade in `fadeSeconds`; a track that plays to its end needs no entry);
 * - `STOP`: stopped, or replaced by the next track on its deck (`fadeSeconds` > 0: faded out, and a `FADE` entry
 *   says so); `PAUSE` / `RESUME`; `SEEK` (to `positionSeconds`);
 * - `FADE`: a track began fading out (a STOP or PAUSE with a fade, replaced with a crossfade or with its item's
 *   fade-out on NEXT, or a run-of-show item's fade-out before its end: no STOP follows that one, the track plays
 *   on, silent, to its end);
 * - `SKIP`: a run-of-show item replaced by the next one before its end (NEXT while it played);
 * - `DUCK` / `UNDUCK`: the bed (and program) lowered under a voice, and back (contract/ducking.ts): one entry per
 *   ducked deck, `cause` `VOICE` (someone started or stopped speaking) or `SET_DUCKING` (switched live).
 */
export type AsRunEvent = (typeof AS_RUN_EVENTS)[number];

/** One entry as the controller records it. */
export interface AsRunRecord {
  /** ISO wall clock of the event (when the desk did it). */
  at: string;
  event: AsRunEvent;
  deck: Deck;
  programId: string | null;
  /** The track's file. */
  programUrl?: string;
  /** The run-of-show item it played, and its title. */
  itemId?: string;
  title?: string;
  /** The track's length, and where in it the event happened. */
  durationSeconds?: number;
  positionSeconds?: number;
  /** The fade's length (PLAY: fade-in or crossfade; STOP, PAUSE, FADE: fade-out). */
  fadeSeconds?: number;
  /** DUCK: the gain the deck was lowered to (dB, negative: minus the depth); UNDUCK: 0 (back). */
  gainDb?: number;
  /** What made it: a command (its type), the run-of-show (`NEXT`; `AUTO`: an auto-advance or an item's fade-out), a resume after a replacement (`RESUMED`). */
  cause?: string;
}

/** An entry as GET /sessions/{id}/as-run answers it: the record plus the show clock. */
export interface AsRunEntry extends AsRunRecord {
  /** Seconds from the start of the recording (its first sample) to `at`. */
  showSeconds: number;
}

export interface AsRunView {
  entries: AsRunEntry[];
}

/** Sort key prefix of the as-run entries inside a session's partition. */
export const AS_RUN_SORT_KEY_PREFIX = 'ASRUN#';

/** The sort key of an entry: its time, then a sequence number (entries of the same millisecond keep their order). */
export const asRunSortKey = (at: string, seq: number): string => `${AS_RUN_SORT_KEY_PREFIX}${at}#${String(seq).padStart(6, '0')}`;

/** The CSV's columns (GET /sessions/{id}/as-run with `Accept: text/csv`): one row per track played. */
export const AS_RUN_CSV_COLUMNS = ['title', 'file', 'start', 'duration', 'deck', 'startedAt'] as const;
