import { describe, expect, it } from 'vitest';
import type { RunOfShowItem, RunOfShowPosition } from '#contract/index';
import { CommandRejectedError } from '#controller/errors';
import { MediaPlayer } from '#controller/player/media-player';
import { RunOfShowRunner, type ItemStarted } from '#controller/show/run-of-show-runner';
import { SerialLane } from '#controller/show/serial-lane';
import type { RunOfShowState } from '#controller/state/session-store';
import { FakePageAudio } from '../fake-page-audio.ts';
import { silentLogger } from '../test-logger.ts';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

const item = (n: number, extra: Partial<RunOfShowItem> = {}): RunOfShowItem => ({
  itemId: `item-${n}`,
  trackId: `track-${n}`,
  title: `Track ${n}`,
  programUrl: `s3://bucket/media/host/${n}.wav`,
  deck: 'program',
  fadeInSeconds: 0,
  crossfadeSeconds: 0,
  fadeOutSeconds: 0,
  autoAdvance: false,
  ...extra,
});

/** The runner over the real player and a fake desk whose clock the test moves; the store is a plain record. */
function setup(items: RunOfShowItem[], position: RunOfShowPosition | null = null) {
  const page = new FakePageAudio();
  page.nextLoad = { durationSeconds: 10 };
  let nowMs = T0;
  page.nowMs = () => nowMs; // the desk's clock is the test's
  const advance = (seconds: number) => {
    page.clockSeconds += seconds;
    nowMs += seconds * 1000;
  };
  // The desk's as-run entries, as `<seconds from T0> <event> <deck> <programId> [fade <s>] <cause>`.
  const events: string[] = [];
  const player = new MediaPlayer({
    page,
    openMedia: (url) => ({ path: `/media/${url}`, failure: () => undefined, release: () => undefined }),
    now: () => new Date(nowMs),
    onEvent: (e) => events.push(`${((Date.parse(e.at) - T0) / 1000).toFixed(1)} ${e.event} ${e.deck} ${e.programId}${e.fadeSeconds ? ` fade ${e.fadeSeconds}` : ''} ${e.cause}`),
  });
  const show: RunOfShowState = { items, position };
  const writes: RunOfShowPosition[] = [];
  const started: ItemStarted[] = [];
  const runner = new RunOfShowRunner({
    player,
    store: {
      getRunOfShow: async () => structuredClone(show),
      putRunOfShowPosition: async (p) => {
        show.position = p;
        writes.push(p);
      },
    },
    lane: new SerialLane(),
    logger: silentLogger(),
    now: () => new Date(nowMs),
    onStarted: (s) => void started.push(s),
    sleep: async (ms) => advance(ms / 1000),
  });
  return { page, player, runner, show, writes, started, advance, events };
}

/** Ticks the watch every 0.2 s of the fake clock for `seconds`. */
async function run(runner: RunOfShowRunner, advance: (s: number) => void, seconds: number) {
  for (let t = 0; t < seconds; t += 0.2) {
    advance(0.2);
    await runner.tick();
  }
}

describe('RunOfShowRunner: NEXT', () => {
  it('plays the items in order, each on its deck with its fades, and records where the show is', async () => {
    const { runner, page, writes, started, advance } = setup([item(1, { fadeInSeconds: 2 }), item(2, { deck: 'bed' })]);
    await runner.next();
    advance(3);
    await runner.next();
    expect(page.calls).toEqual([
      'load program-1 program /media/s3://bucket/media/host/1.wav 0',
      'start program-1 gain 0 fadeIn 2',
      'load bed-2 bed /media/s3://bucket/media/host/2.wav 0',
      'start bed-2 gain 0 fadeIn 0',
    ]);
    expect(writes).toEqual([
      { itemId: 'item-1', index: 0, trackId: 'track-1', deck: 'program', startedAt: '2026-11-24T10:00:00.000Z' },
      { itemId: 'item-2', index: 1, trackId: 'track-2', deck: 'bed', startedAt: '2026-11-24T10:00:03.000Z' },
    ]);
    expect(started.map((s) => `${s.item.itemId} ${s.how}`)).toEqual(['item-1 NEXT', 'item-2 NEXT']);
  });

  it("records when an item began by the desk's clock, for its position and its as-run PLAY, and NEXT resolves to it", async () => {
    const { runner, page, writes, events } = setup([item(1)]);
    // The page began to play it 0.4 s before the controller heard back (a busy machine).
    page.nowMs = () => T0 - 400;
    expect((await runner.next()).toISOString()).toBe('2026-11-24T09:59:59.600Z');
    expect(writes[0]?.startedAt).toBe('2026-11-24T09:59:59.600Z');
    expect(events).toEqual(['-0.4 PLAY program track-1 NEXT']);
  });

  it('is refused at the end of the list, and changes nothing', async () => {
    const { runner, page, writes } = setup([item(1)]);
    await runner.next();
    const calls = [...page.calls];
    await expect(runner.next()).rejects.toBeInstanceOf(CommandRejectedError);
    await expect(runner.next()).rejects.toThrow('the run-of-show has no next item');
    expect(page.calls).toEqual(calls);
    expect(writes).toHaveLength(1);
  });

  it('plays what follows the position a previous controller left (the list read fresh)', async () => {
    const { runner, page } = setup([item(1), item(2), item(3)], { itemId: 'item-2', index: 1, trackId: 'track-2', deck: 'program', startedAt: new Date(T0).toISOString() });
    await runner.next();
    expect(page.calls[0]).toContain('/3.wav');
  });
});

describe('RunOfShowRunner: auto-advance', () => {
  it('starts an auto-advance item its crossfade before the end of the item before, crossfading on the shared deck', async () => {
    const { runner, page, started, advance } = setup([item(1), item(2, { autoAdvance: true, crossfadeSeconds: 2 }), item(3, { autoAdvance: true, crossfadeSeconds: 1 })]);
    await runner.start();
    await runner.next(); // item 1 at 0 s, 10 s long
    await run(runner, advance, 20);
    expect(started.map((s) => `${s.item.itemId} ${s.how} ${s.position.startedAt}`)).toEqual([
      'item-1 NEXT 2026-11-24T10:00:00.000Z',
      // 10 s − 2 s crossfade
      'item-2 AUTO 2026-11-24T10:00:08.000Z',
      // 8 s + 10 s − 1 s crossfade
      'item-3 AUTO 2026-11-24T10:00:17.000Z',
    ]);
    expect(page.calls.filter((c) => c.startsWith('start'))).toEqual([
      'start program-1 gain 0 fadeIn 0',
      'start program-2 gain 0 fadeIn 2 replace program-1 2 crossfade',
      'start program-3 gain 0 fadeIn 1 replace program-2 1 crossfade',
    ]);
    runner.stop();
  });

  it('does not follow on when the next item is not set to auto-advance, nor past the end of the list', async () => {
    const { runner, started, advance } = setup([item(1), item(2)]);
    await runner.start();
    await runner.next();
    await run(runner, advance, 15);
    expect(started.map((s) => s.item.itemId)).toEqual(['item-1']);
    runner.stop();
  });

  it('follows the list as edited during the show (an item moved up and switched to auto-advance)', async () => {
    const { runner, started, advance, show } = setup([item(1), item(2), item(3, { autoAdvance: true })]);
    await runner.start();
    await runner.next();
    await run(runner, advance, 2);
    show.items = [item(1), item(3, { autoAdvance: true }), item(2)];
    await run(runner, advance, 10);
    expect(started.map((s) => `${s.item.itemId} ${s.position.index}`)).toEqual(['item-1 0', 'item-3 1']);
    runner.stop();
  });

  it('watches the item a previous controller was playing (resumed on its deck) and follows on from it', async () => {
    const position: RunOfShowPosition = { itemId: 'item-1', index: 0, trackId: 'track-1', deck: 'program', startedAt: new Date(T0).toISOString() };
    const { runner, player, started, advance } = setup([item(1), item(2, { autoAdvance: true })], position);
    // The replacement resumed item 1 (as restoreProgram does) at 6 s.
    await player.apply({ type: 'PLAY_MEDIA', programId: 'track-1', programUrl: item(1).programUrl, startAtSeconds: 6 });
    await runner.start();
    await run(runner, advance, 6);
    expect(started.map((s) => `${s.item.itemId} ${s.how} ${s.position.startedAt}`)).toEqual(['item-2 AUTO 2026-11-24T10:00:04.000Z']);
    runner.stop();
  });
});

describe('RunOfShowRunner: an item\'s fade-out', () => {
  const fadeOuts = (page: FakePageAudio) => page.calls.filter((c) => c.startsWith('fadeOut'));

  it('fades an item out over its last fadeOutSeconds (from its duration − fadeOut), and it plays on to its end', async () => {
    const { runner, page, player, events, advance } = setup([item(1, { fadeOutSeconds: 3 }), item(2)]);
    await runner.start();
    await runner.next(); // 10 s long
    await run(runner, advance, 8);
    expect(fadeOuts(page)).toEqual(['fadeOut program-1 3']);
    expect(events).toEqual(['0.0 PLAY program track-1 NEXT', '7.0 FADE program track-1 fade 3 AUTO']);
    expect(await player.timing('program', 'track-1')).toMatchObject({ state: 'PLAYING', fadingOut: true });
    await run(runner, advance, 4);
    expect(await player.timing('program', 'track-1')).toMatchObject({ state: 'STOPPED' });
    expect(fadeOuts(page)).toHaveLength(1);
    runner.stop();
  });

  it('fades out before an auto-advance without a crossfade, which starts at the end; a crossfade into it wins (no fade-out)', async () => {
    const plain = setup([item(1, { fadeOutSeconds: 0.3 }), item(2, { autoAdvance: true })]);
    await plain.runner.start();
    await plain.runner.next();
    await run(plain.runner, plain.advance, 12);
    // The short fade-out falls while the auto-advance waits for the end: it is made on time all the same.
    expect(plain.events).toEqual(['0.0 PLAY program track-1 NEXT', '9.7 FADE program track-1 fade 0.3 AUTO', '10.0 STOP program track-1 AUTO', '10.0 PLAY program track-2 AUTO']);
    plain.runner.stop();

    const crossfaded = setup([item(1, { fadeOutSeconds: 3 }), item(2, { autoAdvance: true, crossfadeSeconds: 2 })]);
    await crossfaded.runner.start();
    await crossfaded.runner.next();
    await run(crossfaded.runner, crossfaded.advance, 12);
    expect(fadeOuts(crossfaded.page)).toEqual([]);
    expect(crossfaded.events).toEqual(['0.0 PLAY program track-1 NEXT', '8.0 FADE program track-1 fade 2 AUTO', '8.0 STOP program track-1 fade 2 AUTO', '8.0 PLAY program track-2 fade 2 AUTO']);
    crossfaded.runner.stop();
  });

  it('fades out at its end when what follows on crossfades on another deck', async () => {
    const { runner, events, advance } = setup([item(1, { fadeOutSeconds: 3 }), item(2, { deck: 'bed', autoAdvance: true, crossfadeSeconds: 2 })]);
    await runner.start();
    await runner.next();
    await run(runner, advance, 9);
    expect(events).toEqual(['0.0 PLAY program track-1 NEXT', '7.0 FADE program track-1 fade 3 AUTO', '8.0 PLAY bed track-2 AUTO']);
    runner.stop();
  });

  it('NEXT from it fades it out as the next item starts on its deck; a crossfade on the next item wins; another deck leaves it playing', async () => {
    const { runner, page, events, advance } = setup([item(1, { fadeOutSeconds: 2 }), item(2, { fadeOutSeconds: 4 }), item(3, { crossfadeSeconds: 1.5 }), item(4, { deck: 'bed' })]);
    await runner.next();
    advance(3);
    await runner.next();
    expect(page.calls.at(-1)).toBe('start program-2 gain 0 fadeIn 0 replace program-1 2');
    advance(3);
    await runner.next();
    expect(page.calls.at(-1)).toBe('start program-3 gain 0 fadeIn 1.5 replace program-2 1.5 crossfade');
    advance(1);
    await runner.next();
    expect(events).toEqual([
      '0.0 PLAY program track-1 NEXT',
      '3.0 FADE program track-1 fade 2 NEXT',
      '3.0 STOP program track-1 fade 2 NEXT',
      '3.0 PLAY program track-2 NEXT',
      '6.0 FADE program track-2 fade 1.5 NEXT',
      '6.0 STOP program track-2 fade 1.5 NEXT',
      '6.0 PLAY program track-3 fade 1.5 NEXT',
      '7.0 PLAY bed track-4 NEXT',
    ]);
  });

  it('fades out an item the show moved on from that plays on, on another deck (a bed under the next item), at its end', async () => {
    const { runner, page, events, advance } = setup([item(1, { deck: 'bed', fadeOutSeconds: 2 }), item(2), item(3, { deck: 'bed' })]);
    await runner.start();
    await runner.next(); // the bed, 10 s
    advance(1);
    await runner.next(); // the program over it
    await run(runner, advance, 8);
    expect(fadeOuts(page)).toEqual(['fadeOut bed-1 2']);
    expect(events).toEqual(['0.0 PLAY bed track-1 NEXT', '1.0 PLAY program track-2 NEXT', '8.0 FADE bed track-1 fade 2 AUTO']);
    runner.stop();
  });

  it('a replacement finds a bed item with a fade-out that it resumed under the position, and fades it at its end', async () => {
    const position: RunOfShowPosition = { itemId: 'item-2', index: 1, trackId: 'track-2', deck: 'program', startedAt: new Date(T0).toISOString() };
    const { runner, player, page, events, advance } = setup([item(1, { deck: 'bed', fadeOutSeconds: 2 }), item(2)], position);
    await player.apply({ type: 'PLAY_MEDIA', deck: 'bed', programId: 'track-1', programUrl: item(1).programUrl, startAtSeconds: 5 });
    await player.apply({ type: 'PLAY_MEDIA', programId: 'track-2', programUrl: item(2).programUrl, startAtSeconds: 1 });
    await runner.start();
    await run(runner, advance, 4);
    expect(fadeOuts(page)).toEqual(['fadeOut bed-1 2']);
    expect(events.at(-1)).toBe('3.0 FADE bed track-1 fade 2 AUTO');
    runner.stop();
  });

  it('a replacement that resumes an item inside its fade-out fades it over what is left of it, at once', async () => {
    const position: RunOfShowPosition = { itemId: 'item-1', index: 0, trackId: 'track-1', deck: 'program', startedAt: new Date(T0).toISOString() };
    const { runner, player, page, events } = setup([item(1, { fadeOutSeconds: 3 }), item(2)], position);
    // The replacement resumed item 1 (as restoreProgram does) at 8 s: 2 s left, inside its 3 s fade-out.
    await player.apply({ type: 'PLAY_MEDIA', programId: 'track-1', programUrl: item(1).programUrl, startAtSeconds: 8 });
    await runner.start();
    expect(fadeOuts(page)).toEqual(['fadeOut program-1 2']);
    expect(events.at(-1)).toBe('0.0 FADE program track-1 fade 2 AUTO');
    runner.stop();
  });
});

describe('The as-run entries of the desk', () => {
  it('reports each start, fade, stop and skip with the wall clock, the item and what made it', async () => {
    const page = new FakePageAudio();
    page.nextLoad = { durationSeconds: 10 };
    let nowMs = T0;
    page.nowMs = () => nowMs; // the desk's clock is the test's
    const events: string[] = [];
    const player = new MediaPlayer({
      page,
      openMedia: (url) => ({ path: `/media/${url}`, failure: () => undefined, release: () => undefined }),
      now: () => new Date(nowMs),
      onEvent: (e) => events.push(`${e.at.slice(17, 23)} ${e.event} ${e.deck} ${e.programId}${e.itemId ? ` ${e.itemId}` : ''}${e.fadeSeconds ? ` fade ${e.fadeSeconds}` : ''} ${e.cause}`),
    });
    const show: RunOfShowState = { items: [item(1), item(2, { crossfadeSeconds: 2 })], position: null };
    const runner = new RunOfShowRunner({
      player,
      store: { getRunOfShow: async () => structuredClone(show), putRunOfShowPosition: async (p) => void (show.position = p) },
      lane: new SerialLane(),
      logger: silentLogger(),
      now: () => new Date(nowMs),
      onSkipped: (s) => events.push(`SKIP ${s.position.itemId} at ${s.positionSeconds}`),
    });
    await runner.next();
    page.clockSeconds += 3;
    nowMs += 3000;
    await runner.next();
    nowMs += 1000;
    await player.apply({ type: 'STOP_MEDIA', fadeOutSeconds: 1.5 });
    expect(events).toEqual([
      '00.000 PLAY program track-1 item-1 NEXT',
      'SKIP item-1 at 3',
      '03.000 FADE program track-1 fade 2 NEXT',
      '03.000 STOP program track-1 fade 2 NEXT',
      '03.000 PLAY program track-2 item-2 fade 2 NEXT',
      '04.000 FADE program track-2 fade 1.5 STOP_MEDIA',
      '04.000 STOP program track-2 fade 1.5 STOP_MEDIA',
    ]);
  });
});
