/**
 * The run-of-show's edits as plain functions: a list and one edit in, the new list out (or a 400 naming the
 * field). No I/O: the action (actions/run-of-show.ts) reads the session, applies the edit here and writes the
 * result conditionally on the version it read.
 */
import {
  DEFAULT_DECK,
  MAX_RUN_OF_SHOW_ITEMS,
  nextRunOfShowItem,
  type RunOfShowEditBody,
  type RunOfShowItem,
  type RunOfShowItemInput,
  type RunOfShowView,
  type SessionRecord,
  type TrackRecord,
} from '#contract/index';
import { ValidationFailedError } from './errors.ts';

/** What an ADD needs besides the edit: the new item's id and the host's track it names. */
export interface NewItemContext {
  itemId: string;
  track: Pick<TrackRecord, 'trackId' | 'title' | 'programUrl'>;
}

const noSuchItem = (path: string) => new ValidationFailedError('The run-of-show has no such item.', [{ path, message: 'no such item in the run-of-show' }]);

/** An item built from what the host sent and the track it names. */
export function newRunOfShowItem(input: RunOfShowItemInput, context: NewItemContext): RunOfShowItem {
  return {
    itemId: context.itemId,
    trackId: context.track.trackId,
    title: context.track.title,
    programUrl: context.track.programUrl,
    deck: input.deck ?? DEFAULT_DECK,
    fadeInSeconds: input.fadeInSeconds ?? 0,
    crossfadeSeconds: input.crossfadeSeconds ?? 0,
    fadeOutSeconds: input.fadeOutSeconds ?? 0,
    ...(input.note ? { note: input.note } : {}),
    autoAdvance: input.autoAdvance ?? false,
  };
}

/** The list after one edit; throws ValidationFailedError (400) for an item the list does not hold or a full list. */
export function applyRunOfShowEdit(items: readonly RunOfShowItem[], edit: RunOfShowEditBody, newItem?: NewItemContext): RunOfShowItem[] {
  const list = [...items];
  switch (edit.op) {
    case 'ADD': {
      if (!newItem) throw new Error('ADD needs the new item');
      if (list.length >= MAX_RUN_OF_SHOW_ITEMS) {
        throw new ValidationFailedError(`A run-of-show holds at most ${MAX_RUN_OF_SHOW_ITEMS} items.`, [{ path: 'body.item', message: 'the run-of-show is full' }]);
      }
      const at = edit.beforeItemId === undefined ? list.length : list.findIndex((item) => item.itemId === edit.beforeItemId);
      if (at < 0) throw noSuchItem('body.beforeItemId');
      list.splice(at, 0, newRunOfShowItem(edit.item, newItem));
      return list;
    }
    case 'REMOVE': {
      const at = list.findIndex((item) => item.itemId === edit.itemId);
      if (at < 0) throw noSuchItem('body.itemId');
      list.splice(at, 1);
      return list;
    }
    case 'MOVE': {
      const at = list.findIndex((item) => item.itemId === edit.itemId);
      if (at < 0) throw noSuchItem('body.itemId');
      const [moved] = list.splice(at, 1);
      list.splice(Math.min(edit.toIndex, list.length), 0, moved as RunOfShowItem);
      return list;
    }
    case 'UPDATE': {
      const at = list.findIndex((item) => item.itemId === edit.itemId);
      if (at < 0) throw noSuchItem('body.itemId');
      const { note, ...changes } = edit.changes;
      const { note: oldNote, ...item } = list[at] as RunOfShowItem;
      const keptNote = note === undefined ? oldNote : note;
      list[at] = { ...item, ...changes, ...(keptNote ? { note: keptNote } : {}) };
      return list;
    }
  }
}

/** The public view of a session's run-of-show. */
export function runOfShowView(session: Pick<SessionRecord, 'runOfShow' | 'runOfShowVersion' | 'runOfShowPosition'>): RunOfShowView {
  const items = session.runOfShow ?? [];
  const position = session.runOfShowPosition ?? null;
  return { version: session.runOfShowVersion ?? 0, items, position, nextItemId: nextRunOfShowItem(items, position)?.itemId ?? null };
}
