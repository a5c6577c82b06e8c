import { describe, expect, it } from 'vitest';
import type { AsRunEntry, RunOfShowItem, RunOfShowView } from '#contract/index';
import { moveBy, describeItem, formValuesOf, itemChanges, newItem } from '../../../console/src/running-order.ts';
import { cueFromSeconds } from '../../../console/src/cue.ts';
import { asRunCells, showClock } from '../../../console/src/after-show.ts';

const item = (itemId: string, extra: Partial<RunOfShowItem> = {}): RunOfShowItem => ({
  itemId,
  trackId: `t-${itemId}`,
  title: `Track ${itemId}`,
  programUrl: `s3://b/${itemId}.wav`,
  deck: 'program',
  fadeInSeconds: 0,
  crossfadeSeconds: 0,
  fadeOutSeconds: 0,
  autoAdvance: false,
  ...extra,
});
const view: RunOfShowView = { version: 7, items: [item('a'), item('b'), item('c')], position: null, nextItemId: 'a' };

describe('Console: the running order', () => {
  it('moves an item one step with a MOVE made on the version shown', () => {
    expect(moveBy(view, 'b', -1)).toEqual({ op: 'MOVE', version: 7, itemId: 'b', toIndex: 0 });
    expect(moveBy(view, 'b', 1)).toEqual({ op: 'MOVE', version: 7, itemId: 'b', toIndex: 2 });
  });

  it('moves nothing past either end, nor an item the list lacks', () => {
    expect(moveBy(view, 'a', -1)).toBeUndefined();
    expect(moveBy(view, 'c', 1)).toBeUndefined();
    expect(moveBy(view, 'x', 1)).toBeUndefined();
  });

  it("an item's edit form changes only what differs from the item, and nothing when nothing does", () => {
    const shown = item('a', { fadeInSeconds: 2, crossfadeSeconds: 1.5, note: 'intro' });
    expect(itemChanges(shown, formValuesOf(shown))).toBeUndefined();
    expect(itemChanges(shown, { ...formValuesOf(shown), fadeInSeconds: '3.5' })).toEqual({ fadeInSeconds: 3.5 });
    expect(itemChanges(shown, { fadeInSeconds: '', fadeOutSeconds: '0', crossfadeSeconds: '4', note: ' outro ' })).toEqual({ fadeInSeconds: 0, crossfadeSeconds: 4, note: 'outro' });
    expect(itemChanges(shown, { ...formValuesOf(shown), fadeOutSeconds: '2.5' })).toEqual({ fadeOutSeconds: 2.5 });
    expect(itemChanges(item('b', { fadeOutSeconds: 3 }), { ...formValuesOf(item('b', { fadeOutSeconds: 3 })), fadeOutSeconds: '' })).toEqual({ fadeOutSeconds: 0 });
    // An emptied note removes it; a number the API refuses goes as it is, for the API's 400 to name.
    expect(itemChanges(shown, { ...formValuesOf(shown), note: '' })).toEqual({ note: '' });
    expect(itemChanges(shown, { ...formValuesOf(shown), crossfadeSeconds: '11' })).toEqual({ crossfadeSeconds: 11 });
  });

  it('says how an item plays', () => {
    expect(describeItem(item('a'))).toBe('');
    expect(describeItem(item('a', { deck: 'bed', fadeInSeconds: 2, crossfadeSeconds: 1.5 }))).toBe('on the bed, fade in 2 s, crossfade 1.5 s');
    expect(describeItem(item('a', { fadeInSeconds: 1, fadeOutSeconds: 2, crossfadeSeconds: 0.5 }))).toBe('fade in 1 s, fade out 2 s, crossfade 0.5 s');
  });

  it("adds a track with the desk's fades, each only when set", () => {
    expect(newItem('t', { fadeInSeconds: 0, fadeOutSeconds: 0, crossfadeSeconds: 0 })).toEqual({ trackId: 't' });
    expect(newItem('t', { fadeInSeconds: 1, fadeOutSeconds: 2.5, crossfadeSeconds: 3 })).toEqual({ trackId: 't', fadeInSeconds: 1, fadeOutSeconds: 2.5, crossfadeSeconds: 3 });
  });
});

describe('Console: the cue and the reports', () => {
  it('reads the cue position typed, 0 for an empty, negative or bad field', () => {
    expect(cueFromSeconds('12.5')).toBe(12.5);
    expect(cueFromSeconds('')).toBe(0);
    expect(cueFromSeconds('-3')).toBe(0);
    expect(cueFromSeconds('abc')).toBe(0);
  });

  it('shows the show clock to a tenth of a second, and an as-run entry as its cells', () => {
    expect(showClock(75.46)).toBe('1:15.4');
    const entry: AsRunEntry = { at: '2026-01-01T10:00:05.000Z', showSeconds: 5.2, event: 'PLAY', deck: 'program', programId: 't-a', title: 'Opening', fadeSeconds: 1.5, cause: 'AUTO' };
    const cells = asRunCells(entry);
    expect([cells[0], ...cells.slice(2)]).toEqual(['0:05.2', 'PLAY', 'program', 'Opening', 'fade 1.5 s, AUTO']);
  });
});
