/**
 * The run-of-show: a show's running order. Each item is one of the host's tracks with the deck it plays on,
 * its fades (in, out, and the crossfade into it), an optional note and whether it follows on by itself when the
 * item before it ends (auto-advance, with its crossfade). The list is kept on the session record with a version
 * (optimistic concurrency: an edit names the version it was made on, and one made on an older version is
 * refused with 409 CONFLICT); where the show is in it (`position`) is kept there too, written by the controller.
 * The API, the controller and the console read these shapes and `nextRunOfShowItem` from here.
 */
import { z } from 'zod';
import { DECKS, MAX_FADE_SECONDS, type Deck } from './decks.ts';

/** Most items a run-of-show holds. */
export const MAX_RUN_OF_SHOW_ITEMS = 100;
/** Longest note on an item. */
export const MAX_RUN_OF_SHOW_NOTE_LENGTH = 500;

const fadeSeconds = z.number().finite().min(0).max(MAX_FADE_SECONDS);

/** An item as the host adds it: the track (one of theirs, by id) and how it plays. */
export const RunOfShowItemInput = z.strictObject({
  trackId: z.uuid(),
  /** The deck it plays on (default `program`). */
  deck: z.enum(DECKS).optional(),
  /** Fades it in from silence when nothing plays on its deck. */
  fadeInSeconds: fadeSeconds.optional(),
  /** Fades out what plays on its deck while it fades in, over this long; an auto-advance starts it this long before the item before ends. */
  crossfadeSeconds: fadeSeconds.optional(),
  /**
   * Fades it out over its last this long before it ends by itself (a segment or a bed ends smoothly rather than
   * cutting); and when NEXT moves on from it to an item on the same deck that does not crossfade, fades it out
   * over this long as the next one starts. A crossfade into the item after it, when set, wins (no fade-out).
   */
  fadeOutSeconds: fadeSeconds.optional(),
  note: z.string().trim().max(MAX_RUN_OF_SHOW_NOTE_LENGTH).optional(),
  /** Follows on by itself when the item before it ends. */
  autoAdvance: z.boolean().optional(),
});
export type RunOfShowItemInput = z.infer<typeof RunOfShowItemInput>;

/** The version the edit was made on (0 for a run-of-show never edited). */
const version = z.number().int().min(0);

/** POST /sessions/{sessionId}/run-of-show: one edit, made on `version`. */
export const RunOfShowEditBody = z.discriminatedUnion('op', [
  /** Adds an item before `beforeItemId` (at the end without it). */
  z.strictObject({ op: z.literal('ADD'), version, item: RunOfShowItemInput, beforeItemId: z.uuid().optional() }),
  z.strictObject({ op: z.literal('REMOVE'), version, itemId: z.uuid() }),
  /** Moves an item to `toIndex` (0 = first; past the end = last). */
  z.strictObject({ op: z.literal('MOVE'), version, itemId: z.uuid(), toIndex: z.number().int().min(0) }),
  /** Changes how an item plays (only the fields given). */
  z.strictObject({
    op: z.literal('UPDATE'),
    version,
    itemId: z.uuid(),
    changes: RunOfShowItemInput.omit({ trackId: true }).refine((c) => Object.keys(c).length > 0, 'changes names nothing to change'),
  }),
]);
export type RunOfShowEditBody = z.infer<typeof RunOfShowEditBody>;
export const RUN_OF_SHOW_EDIT_OPS = ['ADD', 'REMOVE', 'MOVE', 'UPDATE'] as const;

/** An item as it is kept and shown. */
export interface RunOfShowItem {
  itemId: string;
  trackId: string;
  /** The track's title and file when the item was added. */
  title: string;
  programUrl: string;
  deck: Deck;
  fadeInSeconds: number;
  crossfadeSeconds: number;
  fadeOutSeconds: number;
  note?: string;
  autoAdvance: boolean;
}

/** Where the show is: the item played last (by NEXT or an auto-advance), and when it started. */
export interface RunOfShowPosition {
  itemId: string;
  /** Its index in the list when it started. */
  index: number;
  /** Its track and deck (so that its end is watched even if it is removed from the list meanwhile). */
  trackId: string;
  deck: Deck;
  /** When it started (ISO wall clock). */
  startedAt: string;
}

/** GET /sessions/{sessionId}/run-of-show and every edit's answer. */
export interface RunOfShowView {
  version: number;
  items: RunOfShowItem[];
  position: RunOfShowPosition | null;
  /** What NEXT plays now (null: the end of the list). */
  nextItemId: string | null;
}

/**
 * The item NEXT (or an auto-advance) plays: the one after the item at the position. When that item was
 * removed from the list, the item now at its index (where the list closed up); before anything played, the
 * first item. Undefined at the end of the list.
 */
export function nextRunOfShowItem(items: readonly RunOfShowItem[], position: RunOfShowPosition | null | undefined): RunOfShowItem | undefined {
  if (!position) return items[0];
  const at = items.findIndex((item) => item.itemId === position.itemId);
  return at >= 0 ? items[at + 1] : items[Math.min(position.index, items.length)];
}
