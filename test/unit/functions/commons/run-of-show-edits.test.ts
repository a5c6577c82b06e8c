import '../support/env.ts';
import { describe, expect, it } from 'vitest';
import { MAX_RUN_OF_SHOW_ITEMS, nextRunOfShowItem, type RunOfShowItem } from '#contract/index';
import { applyRunOfShowEdit, runOfShowView } from '../../../../functions/commons/run-of-show-edits.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const item = (n: number, extra: Partial<RunOfShowItem> = {}): RunOfShowItem => ({
  itemId: id(n),
  trackId: id(100 + n),
  title: `T${n}`,
  programUrl: `s3://b/media/h/${n}.wav`,
  deck: 'program',
  fadeInSeconds: 0,
  crossfadeSeconds: 0,
  fadeOutSeconds: 0,
  autoAdvance: false,
  ...extra,
});
const ids = (items: RunOfShowItem[]) => items.map((i) => Number(i.itemId.slice(-12)));
const track = { trackId: id(200), title: 'New', programUrl: 's3://b/media/h/new.wav' };

describe('applyRunOfShowEdit', () => {
  const list = [item(1), item(2), item(3)];

  it('adds at the end, or before an item, with the defaults filled in', () => {
    const added = applyRunOfShowEdit(list, { op: 'ADD', version: 0, item: { trackId: track.trackId } }, { itemId: id(9), track });
    expect(ids(added)).toEqual([1, 2, 3, 9]);
    expect(added[3]).toEqual({ itemId: id(9), trackId: track.trackId, title: 'New', programUrl: track.programUrl, deck: 'program', fadeInSeconds: 0, crossfadeSeconds: 0, fadeOutSeconds: 0, autoAdvance: false });
    const faded = applyRunOfShowEdit(list, { op: 'ADD', version: 0, item: { trackId: track.trackId, deck: 'bed', fadeOutSeconds: 2.5 } }, { itemId: id(9), track });
    expect(faded[3]).toMatchObject({ deck: 'bed', fadeInSeconds: 0, fadeOutSeconds: 2.5, crossfadeSeconds: 0 });
    expect(ids(applyRunOfShowEdit(list, { op: 'ADD', version: 0, item: { trackId: track.trackId }, beforeItemId: id(2) }, { itemId: id(9), track }))).toEqual([1, 9, 2, 3]);
    expect(ids(list)).toEqual([1, 2, 3]);
  });

  it('removes, moves (to the end past it) and updates, keeping the other fields', () => {
    expect(ids(applyRunOfShowEdit(list, { op: 'REMOVE', version: 0, itemId: id(2) }))).toEqual([1, 3]);
    expect(ids(applyRunOfShowEdit(list, { op: 'MOVE', version: 0, itemId: id(3), toIndex: 0 }))).toEqual([3, 1, 2]);
    expect(ids(applyRunOfShowEdit(list, { op: 'MOVE', version: 0, itemId: id(1), toIndex: 99 }))).toEqual([2, 3, 1]);
    const updated = applyRunOfShowEdit([item(1, { note: 'old' })], { op: 'UPDATE', version: 0, itemId: id(1), changes: { autoAdvance: true, crossfadeSeconds: 3 } });
    expect(updated[0]).toMatchObject({ autoAdvance: true, crossfadeSeconds: 3, note: 'old', title: 'T1' });
    expect(applyRunOfShowEdit(updated, { op: 'UPDATE', version: 0, itemId: id(1), changes: { note: '' } })[0]).not.toHaveProperty('note');
    const fadeOut = applyRunOfShowEdit(updated, { op: 'UPDATE', version: 0, itemId: id(1), changes: { fadeOutSeconds: 4 } })[0];
    expect(fadeOut).toMatchObject({ fadeOutSeconds: 4, crossfadeSeconds: 3, autoAdvance: true, note: 'old' });
  });

  it('refuses an item the list does not hold, and a full list, with 400 naming the field', () => {
    expect(() => applyRunOfShowEdit(list, { op: 'REMOVE', version: 0, itemId: id(7) })).toThrow(expect.objectContaining({ statusCode: 400, issues: [{ path: 'body.itemId', message: expect.any(String) }] }));
    expect(() => applyRunOfShowEdit(list, { op: 'ADD', version: 0, item: { trackId: track.trackId }, beforeItemId: id(7) }, { itemId: id(9), track })).toThrow(
      expect.objectContaining({ issues: [{ path: 'body.beforeItemId', message: expect.any(String) }] }),
    );
    const full = Array.from({ length: MAX_RUN_OF_SHOW_ITEMS }, (_, i) => item(i + 1));
    expect(() => applyRunOfShowEdit(full, { op: 'ADD', version: 0, item: { trackId: track.trackId } }, { itemId: id(999), track })).toThrow(
      expect.objectContaining({ issues: [{ path: 'body.item', message: 'the run-of-show is full' }] }),
    );
  });
});

describe('nextRunOfShowItem and the view', () => {
  const at = (n: number, index: number) => ({ itemId: id(n), index, trackId: id(100 + n), deck: 'program' as const, startedAt: '2026-11-24T08:00:00.000Z' });
  it('is the first item before anything played, the one after the position, none at the end', () => {
    const list = [item(1), item(2), item(3)];
    expect(nextRunOfShowItem(list, null)?.itemId).toBe(id(1));
    expect(nextRunOfShowItem(list, at(2, 1))?.itemId).toBe(id(3));
    expect(nextRunOfShowItem(list, at(3, 2))).toBeUndefined();
  });
  it('follows the list as reordered, and when the playing item was removed takes the item now at its index', () => {
    expect(nextRunOfShowItem([item(2), item(1), item(3)], at(2, 1))?.itemId).toBe(id(1));
    expect(nextRunOfShowItem([item(1), item(3)], at(2, 1))?.itemId).toBe(id(3));
    expect(runOfShowView({ runOfShow: [item(1), item(3)], runOfShowVersion: 2, runOfShowPosition: at(3, 1) })).toMatchObject({ version: 2, nextItemId: null });
  });
});
