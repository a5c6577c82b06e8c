import { describe, expect, it, vi } from 'vitest';
import type { AsRunRecord, CommandInput, TrackLoudness } from '#contract/index';
import { MediaPlayer } from '#controller/player/media-player';
import { CommandRejectedError } from '#controller/errors';
import { MediaRefusedError } from '#controller/media/media-errors';
import type { MediaFailure, MediaHandle } from '#controller/media/media-proxy';
import { FakePageAudio } from '../fake-page-audio.ts';

const T0 = new Date('2026-11-24T10:00:00.000Z');

function setup(options: { loudness?: Record<string, TrackLoudness> } = {}) {
  const page = new FakePageAudio();
  let now = T0.getTime();
  const handles: (MediaHandle & { url: string; released: boolean })[] = [];
  const failures = new Map<string, MediaFailure>();
  const openMedia = vi.fn((url: string) => {
    const handle = { url, path: `/media/${handles.length + 1}`, released: false, failure: () => failures.get(url), release: () => void (handle.released = true) };
    handles.push(handle);
    return handle;
  });
  const loudnessOf = vi.fn(async (url: string) => options.loudness?.[url]);
  const player = new MediaPlayer({ page, openMedia, loudnessOf, now: () => new Date(now) });
  const advance = (seconds: number) => {
    page.clockSeconds += seconds;
    now += seconds * 1000;
  };
  return { page, player, openMedia, handles, failures, advance, loudnessOf };
}

const url = (programId: string) => `s3://bucket/media/host/${programId}.mp3`;
const play = (programId = 'p1', extra: Partial<Extract<CommandInput, { type: 'PLAY_MEDIA' }>> = {}) =>
  ({ type: 'PLAY_MEDIA', programId, programUrl: url(programId), ...extra }) as const;
const measured = (integratedLufs: number): TrackLoudness => ({ integratedLufs, truePeakDbtp: -3, measuredAt: T0.toISOString() });

describe('MediaPlayer: the program deck', () => {
  it('plays a track from its start and reports it PLAYING, at the top of nowPlaying and in decks.program', async () => {
    const { player, page, advance } = setup();
    await player.apply(play());
    advance(2);
    const { nowPlaying, programUrl } = await player.snapshot();
    expect(nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING', positionSeconds: 2, durationSeconds: 60, volume: 1 });
    expect(nowPlaying.decks?.program).toMatchObject({ programId: 'p1', state: 'PLAYING', positionSeconds: 2 });
    expect(nowPlaying.updatedAt).toBe('2026-11-24T10:00:02.000Z');
    expect(programUrl).toBe(url('p1'));
    expect(page.calls).toEqual(['load program-1 program /media/1 0', 'start program-1 gain 0 fadeIn 0']);
  });

  it('starts at startAtSeconds (loaded there: nothing before it is read) and refuses a start beyond the end', async () => {
    const { player, page, handles } = setup();
    await player.apply(play('p1', { startAtSeconds: 12 }));
    expect(page.calls[0]).toBe('load program-1 program /media/1 12');
    expect((await player.snapshot()).nowPlaying.positionSeconds).toBe(12);
    await expect(player.apply(play('p2', { startAtSeconds: 60 }))).rejects.toThrow('startAtSeconds 60 is beyond the end (60.00 s)');
    // The page refused the voice (it never started), and the track that plays goes on.
    expect(page.voices.has('program-2')).toBe(false);
    expect(page.voices.get('program-1')?.startedAt).not.toBeNull();
    expect(handles[1]!.released).toBe(true);
    expect((await player.snapshot()).nowPlaying.programId).toBe('p1');
  });

  it('pauses with a fade-out and resumes with a fade-in, at the paused position', async () => {
    const { player, page, advance } = setup();
    await player.apply(play());
    advance(5);
    await player.apply({ type: 'PAUSE_MEDIA', fadeOutSeconds: 2 });
    advance(10);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PAUSED', positionSeconds: 5 });
    await player.apply({ type: 'RESUME_MEDIA', fadeInSeconds: 1 });
    advance(1);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PLAYING', positionSeconds: 6 });
    expect(page.calls).toContain('pause program-1 2');
    expect(page.calls).toContain('resume program-1 1');
  });

  it('treats pause while paused and resume while playing as already done', async () => {
    const { player } = setup();
    await player.apply(play());
    await player.apply({ type: 'RESUME_MEDIA' });
    await player.apply({ type: 'PAUSE_MEDIA' });
    await player.apply({ type: 'PAUSE_MEDIA' });
    expect((await player.snapshot()).nowPlaying.state).toBe('PAUSED');
  });

  it('refuses pause, resume and seek when nothing plays, naming the deck', async () => {
    const { player } = setup();
    await expect(player.apply({ type: 'PAUSE_MEDIA' })).rejects.toThrow('nothing is playing on the program deck');
    await expect(player.apply({ type: 'RESUME_MEDIA', deck: 'bed' })).rejects.toThrow('nothing is paused on the bed deck');
    await expect(player.apply({ type: 'SEEK_MEDIA', seconds: 1 })).rejects.toBeInstanceOf(CommandRejectedError);
  });

  it('stops with a fade-out, forgets the track, and lets its media go once the fade is over', async () => {
    vi.useFakeTimers();
    try {
      const { player, page, handles } = setup();
      await player.apply(play());
      await player.apply({ type: 'STOP_MEDIA', fadeOutSeconds: 2 });
      expect(page.calls.at(-1)).toBe('stop program-1 2');
      expect(await player.snapshot()).toMatchObject({
        nowPlaying: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null },
        programUrl: null,
      });
      expect(handles[0]!.released).toBe(false);
      vi.advanceTimersByTime(3100);
      expect(handles[0]!.released).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('seeks while playing and while paused, keeping the state; refuses beyond the end', async () => {
    const { player, advance } = setup();
    await player.apply(play());
    await player.apply({ type: 'SEEK_MEDIA', seconds: 30 });
    advance(1);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PLAYING', positionSeconds: 31 });
    await player.apply({ type: 'PAUSE_MEDIA' });
    await player.apply({ type: 'SEEK_MEDIA', seconds: 10 });
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PAUSED', positionSeconds: 10 });
    await expect(player.apply({ type: 'SEEK_MEDIA', seconds: 61 })).rejects.toThrow('beyond the end');
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PAUSED', positionSeconds: 10 });
  });

  it('sets each deck’s volume in any state and reports it', async () => {
    const { player, page } = setup();
    await player.apply({ type: 'SET_VOLUME', volume: 0.4 });
    await player.apply({ type: 'SET_VOLUME', volume: 0.2, deck: 'bed' });
    await player.apply({ type: 'SET_VOLUME', volume: 0.7, deck: 'clip' });
    expect(page.calls).toEqual(['setDeckVolume program 0.4', 'setDeckVolume bed 0.2', 'setDeckVolume clip 0.7']);
    const { nowPlaying } = await player.snapshot();
    expect(nowPlaying.volume).toBe(0.4);
    expect(nowPlaying.decks).toMatchObject({ program: { volume: 0.4 }, bed: { volume: 0.2 }, clip: { volume: 0.7 } });
  });

  it('replaces what plays with a new track: a short fade without crossfade, the equal-power pair with one', async () => {
    const { player, page, advance } = setup();
    await player.apply(play('p1'));
    advance(3);
    await player.apply(play('p2'));
    expect(page.calls.at(-1)).toBe('start program-2 gain 0 fadeIn 0 replace program-1 0.015');
    await player.apply(play('p3', { crossfadeSeconds: 4, fadeInSeconds: 1 }));
    expect(page.calls.at(-1)).toBe('start program-3 gain 0 fadeIn 4 replace program-2 4 crossfade');
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p3', positionSeconds: 0, state: 'PLAYING' });
  });

  it('fades the track it replaces out over the fade-out the PLAY names for it (no crossfade), the crossfade when there is one', async () => {
    const { player, page } = setup();
    const start = async (programId: string, extra: { crossfadeSeconds?: number; fadeOutReplaced?: { programId: string; seconds: number } }) =>
      await (await player.prepare({ deck: 'program', programId, programUrl: url(programId), startAt: 0, fadeInSeconds: 0.5, crossfadeSeconds: 0, ...extra })).start();
    await player.apply(play('p1'));
    await start('p2', { fadeOutReplaced: { programId: 'p1', seconds: 2 } });
    expect(page.calls.at(-1)).toBe('start program-2 gain 0 fadeIn 0.5 replace program-1 2');
    await start('p3', { crossfadeSeconds: 1.5, fadeOutReplaced: { programId: 'p2', seconds: 2 } });
    expect(page.calls.at(-1)).toBe('start program-3 gain 0 fadeIn 1.5 replace program-2 1.5 crossfade');
    // A fade-out named for another track is not this one's: a cut.
    await start('p4', { fadeOutReplaced: { programId: 'p1', seconds: 2 } });
    expect(page.calls.at(-1)).toBe('start program-4 gain 0 fadeIn 0.5 replace program-3 0.015');
  });

  it('uses the fade-in, not the crossfade, when nothing plays on the deck', async () => {
    const { player, page } = setup();
    await player.apply(play('p1', { crossfadeSeconds: 4, fadeInSeconds: 2 }));
    expect(page.calls.at(-1)).toBe('start program-1 gain 0 fadeIn 2');
  });

  it('keeps playing the current track when the new one is refused, unreadable or cannot be decoded', async () => {
    const { player, page, openMedia, failures, handles } = setup();
    await player.apply(play('p1'));
    openMedia.mockImplementationOnce(() => {
      throw new MediaRefusedError('programUrl refused: non-public address');
    });
    await expect(player.apply(play('p2'))).rejects.toThrow('non-public');
    failures.set(url('p3'), { reason: 'media object media/host/p3.mp3 does not exist', final: true });
    page.nextLoad = new Error('media error 4: MEDIA_ELEMENT_ERROR: Format error');
    await expect(player.apply(play('p3'))).rejects.toThrow('media object media/host/p3.mp3 does not exist');
    await expect(player.apply(play('p4'))).rejects.toThrow('media could not be decoded: media error 4: MEDIA_ELEMENT_ERROR: Format error');
    expect(handles.slice(1).every((h) => h.released)).toBe(true);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING' });
  });

  it('leaves a read that failed transiently (S3 throttled) for a retry, not FAILED', async () => {
    const { player, page, failures } = setup();
    failures.set(url('p1'), { reason: 'SlowDown', final: false });
    page.nextLoad = new Error('media error 2: network');
    const error = await player.apply(play('p1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(CommandRejectedError);
  });

  it('refuses media longer than the maximum duration', async () => {
    const { player, page } = setup();
    page.nextLoad = { durationSeconds: 3 * 60 * 60 };
    await expect(player.apply(play())).rejects.toThrow('more than 7200 s');
    expect(page.voices.has('program-1')).toBe(false);
    expect((await player.snapshot()).nowPlaying.state).toBe('STOPPED');
  });

  it('fades a track out to its end: it plays on (PLAYING, then STOPPED at its end), once; a seek or a resume brings it back', async () => {
    const { page, advance } = setup();
    const events: AsRunRecord[] = [];
    page.nowMs = () => T0.getTime();
    const player = new MediaPlayer({ page, openMedia: (u) => ({ path: `/m/${u}`, failure: () => undefined, release: () => undefined }), onEvent: (e) => events.push(e), now: () => T0 });
    page.nextLoad = { durationSeconds: 10 };
    await player.apply(play('p1'));
    advance(7);
    await player.fadeOut({ deck: 'program', programId: 'p1', seconds: 3, itemId: 'item-1', title: 'One', cause: 'AUTO' });
    await player.fadeOut({ deck: 'program', programId: 'p1', seconds: 3, cause: 'AUTO' });
    expect(page.calls.filter((c) => c.startsWith('fadeOut'))).toEqual(['fadeOut program-1 3']);
    expect(events.filter((e) => e.event === 'FADE')).toEqual([
      { at: T0.toISOString(), event: 'FADE', deck: 'program', programId: 'p1', programUrl: url('p1'), fadeSeconds: 3, itemId: 'item-1', title: 'One', cause: 'AUTO' },
    ]);
    expect(await player.timing('program', 'p1')).toEqual({ state: 'PLAYING', positionSeconds: 7, remainingSeconds: 3, fadingOut: true });
    await player.apply({ type: 'SEEK_MEDIA', seconds: 2 });
    expect(await player.timing('program', 'p1')).toMatchObject({ state: 'PLAYING', fadingOut: false });
    await player.fadeOut({ deck: 'program', programId: 'p1', seconds: 1, cause: 'AUTO' });
    await player.apply({ type: 'PAUSE_MEDIA' });
    await player.apply({ type: 'RESUME_MEDIA' });
    expect(await player.timing('program', 'p1')).toMatchObject({ state: 'PLAYING', fadingOut: false });
    advance(9);
    expect(await player.timing('program', 'p1')).toMatchObject({ state: 'STOPPED', remainingSeconds: 0 });
    // Nothing to fade when nothing plays.
    await player.fadeOut({ deck: 'program', programId: 'p1', seconds: 1, cause: 'AUTO' });
    expect(page.calls.filter((c) => c.startsWith('fadeOut'))).toEqual(['fadeOut program-1 3', 'fadeOut program-1 1']);
    expect(player.playing).toBe(false);
  });

  it('reports a track that played to its end as STOPPED at its end, and lets its media go', async () => {
    const { player, page, advance, handles } = setup();
    page.nextLoad = { durationSeconds: 4 };
    await player.apply(play());
    advance(5);
    expect(player.playing).toBe(true);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'STOPPED', positionSeconds: 4 });
    expect(player.playing).toBe(false);
    expect(handles[0]!.released).toBe(true);
    await expect(player.apply({ type: 'PAUSE_MEDIA' })).rejects.toThrow('nothing is playing');
  });
});

describe('MediaPlayer: the as-run log by the page\'s clock', () => {
  it('times every change at the moment the page made it, not when its answer came back to the controller', async () => {
    const page = new FakePageAudio();
    // The page's clock runs 40 ms ahead of the controller's for each change (its answer's trip back).
    let pageMs = T0.getTime();
    page.nowMs = () => (pageMs += 1000);
    const events: AsRunRecord[] = [];
    const player = new MediaPlayer({ page, openMedia: (u) => ({ path: `/m/${u}`, failure: () => undefined, release: () => undefined }), onEvent: (e) => events.push(e), now: () => new Date(pageMs + 40) });
    page.nextLoad = { durationSeconds: 60 };
    await player.apply(play('p1'));
    await player.apply({ type: 'PAUSE_MEDIA', fadeOutSeconds: 1 });
    await player.apply({ type: 'RESUME_MEDIA' });
    await player.apply({ type: 'SEEK_MEDIA', seconds: 20 });
    await player.fadeOut({ deck: 'program', programId: 'p1', seconds: 2, cause: 'AUTO' });
    await player.apply({ type: 'STOP_MEDIA' });
    const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();
    expect(events.map((e) => [e.event, e.at])).toEqual([
      ['PLAY', at(1000)],
      ['FADE', at(2000)],
      ['PAUSE', at(2000)],
      ['RESUME', at(3000)],
      ['SEEK', at(4000)],
      ['FADE', at(5000)],
      ['STOP', at(6000)],
    ]);
  });
});

describe('MediaPlayer: one wait for the page per PLAY', () => {
  it('sends the start right behind the load; the page starts the voice once it is loaded', async () => {
    const { player, page } = setup();
    let release!: () => void;
    page.loadGate = new Promise((resolve) => (release = resolve));
    const applying = player.apply(play('p1'));
    await vi.waitFor(() => expect(page.calls).toEqual(['load program-1 program /media/1 0', 'start program-1 gain 0 fadeIn 0']));
    expect(page.voices.has('program-1')).toBe(false);
    release();
    await applying;
    expect(page.voices.get('program-1')?.startedAt).toBe(0);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING', durationSeconds: 60 });
  });

  it('fails with the load’s reason when the load fails behind a start already sent: nothing starts, the media is let go', async () => {
    const { player, page, handles } = setup();
    await player.apply(play('p1'));
    page.nextLoad = new Error('media error 4: MEDIA_ELEMENT_ERROR: Format error');
    const error = await player.apply(play('p2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect((error as Error).message).toBe('media could not be decoded: media error 4: MEDIA_ELEMENT_ERROR: Format error');
    expect(page.calls.filter((c) => c.startsWith('start program-2'))).toHaveLength(1);
    expect(page.voices.has('program-2')).toBe(false);
    expect(handles[1]!.released).toBe(true);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING' });
  });

  it('resolves a PLAY to the time its track began to play, by the page’s clock', async () => {
    const { player, page } = setup();
    page.nowMs = () => Date.parse('2026-11-24T10:00:00.123Z');
    expect(await player.apply(play('p1'))).toEqual(new Date('2026-11-24T10:00:00.123Z'));
    expect(await player.apply({ type: 'SET_VOLUME', volume: 0.5 })).toBeUndefined();
  });

  it('plays a preloaded track without loading it again; a preload is let go when not played', async () => {
    const { player, page, handles } = setup();
    const preloaded = player.preload(play('p1', { startAtSeconds: 5 }));
    expect(page.calls).toEqual(['load program-1 program /media/1 5']);
    await player.apply(play('p1', { startAtSeconds: 5 }), preloaded);
    expect(page.calls).toEqual(['load program-1 program /media/1 5', 'start program-1 gain 0 fadeIn 0']);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING', positionSeconds: 5 });

    const unused = player.preload(play('p2'));
    await unused!.discard();
    expect(page.calls.at(-1)).toBe('stop program-2 0');
    expect(handles[1]!.released).toBe(true);
    expect((await player.snapshot()).nowPlaying.programId).toBe('p1');
    expect(player.preload({ type: 'STOP_MEDIA' })).toBeUndefined();
  });

  it('preloads nothing for a refused URL (the PLAY then fails with the reason)', async () => {
    const { player, openMedia } = setup();
    openMedia.mockImplementationOnce(() => {
      throw new MediaRefusedError('programUrl refused: not the media bucket');
    });
    expect(player.preload(play('p1'))).toBeUndefined();
    openMedia.mockImplementationOnce(() => {
      throw new MediaRefusedError('programUrl refused: not the media bucket');
    });
    await expect(player.apply(play('p1'))).rejects.toThrow('programUrl refused: not the media bucket');
  });
});

describe('MediaPlayer: bed and clips', () => {
  it('plays a bed under the program; a PLAY on one deck leaves the other alone', async () => {
    const { player, page, advance } = setup();
    await player.apply(play('bed1', { deck: 'bed' }));
    advance(10);
    await player.apply(play('p1'));
    await player.apply(play('p2'));
    const { nowPlaying, deckUrls } = await player.snapshot();
    expect(nowPlaying.decks?.bed).toMatchObject({ programId: 'bed1', state: 'PLAYING', positionSeconds: 10 });
    expect(nowPlaying.programId).toBe('p2');
    expect(deckUrls?.bed).toBe(url('bed1'));
    expect(page.calls.filter((c) => c.includes('replace bed-1'))).toEqual([]);
  });

  it('replaces the bed with the next PLAY on the bed', async () => {
    const { player, page } = setup();
    await player.apply(play('bed1', { deck: 'bed' }));
    await player.apply(play('bed2', { deck: 'bed', crossfadeSeconds: 3 }));
    expect(page.calls.at(-1)).toBe('start bed-2 gain 0 fadeIn 3 replace bed-1 3 crossfade');
    expect((await player.snapshot()).nowPlaying.decks?.bed.programId).toBe('bed2');
  });

  it('sounds clips over everything, several at once, each ending by itself', async () => {
    const { player, page, advance, handles } = setup();
    await player.apply(play('bed1', { deck: 'bed' }));
    page.nextLoad = { durationSeconds: 2 };
    await player.apply(play('jingle', { deck: 'clip' }));
    advance(1);
    await player.apply(play('jingle', { deck: 'clip' }));
    let decks = (await player.snapshot()).nowPlaying.decks!;
    expect(decks.clip.clips.map((c) => [c.programId, c.positionSeconds])).toEqual([
      ['jingle', 1],
      ['jingle', 0],
    ]);
    expect(decks.bed.state).toBe('PLAYING');
    advance(1.5);
    decks = (await player.snapshot()).nowPlaying.decks!;
    expect(decks.clip.clips.map((c) => c.positionSeconds)).toEqual([1.5]);
    expect(page.calls).toContain('stop clip-2 0');
    expect(handles[1]!.released).toBe(true);
    expect(page.calls.some((c) => c.includes('replace'))).toBe(false);
  });

  it('refuses a clip beyond the most that may sound at once', async () => {
    const { player } = setup();
    for (let i = 0; i < 8; i++) await player.apply(play(`c${i}`, { deck: 'clip' }));
    await expect(player.apply(play('c8', { deck: 'clip' }))).rejects.toThrow('at most 8 clips');
  });

  it('pauses, resumes and stops every clip; refuses to seek a clip', async () => {
    const { player, page } = setup();
    await player.apply(play('c1', { deck: 'clip' }));
    await player.apply(play('c2', { deck: 'clip' }));
    await player.apply({ type: 'PAUSE_MEDIA', deck: 'clip' });
    expect((await player.snapshot()).nowPlaying.decks?.clip.clips.map((c) => c.state)).toEqual(['PAUSED', 'PAUSED']);
    await player.apply({ type: 'RESUME_MEDIA', deck: 'clip' });
    await expect(player.apply({ type: 'SEEK_MEDIA', seconds: 1, deck: 'clip' as 'bed' })).rejects.toThrow('a clip cannot be sought');
    await player.apply({ type: 'STOP_MEDIA', deck: 'clip', fadeOutSeconds: 1 });
    expect(page.calls.slice(-2)).toEqual(['stop clip-1 1', 'stop clip-2 1']);
    expect((await player.snapshot()).nowPlaying.decks?.clip.clips).toEqual([]);
  });

  it('stops every deck with STOP_MEDIA deck all', async () => {
    const { player } = setup();
    await player.apply(play('p1'));
    await player.apply(play('b1', { deck: 'bed' }));
    await player.apply(play('c1', { deck: 'clip' }));
    await player.apply({ type: 'STOP_MEDIA', deck: 'all', fadeOutSeconds: 2 });
    const { decks } = (await player.snapshot()).nowPlaying;
    expect([decks?.program.state, decks?.bed.state, decks?.clip.clips.length]).toEqual(['STOPPED', 'STOPPED', 0]);
    expect(player.playing).toBe(false);
  });
});

describe('MediaPlayer: loudness', () => {
  it('plays each measured track at the target (−16 LUFS) through its gain, an unmeasured one as it is', async () => {
    const { player, page } = setup({ loudness: { [url('loud')]: measured(-6), [url('quiet')]: measured(-26) } });
    await player.apply(play('loud'));
    await player.apply(play('quiet', { deck: 'bed' }));
    await player.apply(play('raw', { deck: 'clip' }));
    expect(page.calls.filter((c) => c.startsWith('start')).map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'start program-1 gain -10',
      'start bed-2 gain 10',
      'start clip-3 gain 0',
    ]);
    const { decks } = (await player.snapshot()).nowPlaying;
    expect([decks?.program.gainDb, decks?.bed.gainDb, decks?.clip.clips[0]?.gainDb]).toEqual([-10, 10, 0]);
  });

  it('switches normalisation off and on for the show, ramping the gain of what plays', async () => {
    const { player, page } = setup({ loudness: { [url('loud')]: measured(-6) } });
    await player.apply(play('loud'));
    await player.apply({ type: 'SET_LOUDNESS_NORMALIZATION', enabled: false });
    expect(page.calls.at(-1)).toBe('setGain program-1 0');
    expect((await player.snapshot()).nowPlaying.decks?.normalizeLoudness).toBe(false);
    await player.apply(play('loud', { deck: 'bed' }));
    expect(page.calls.at(-1)).toMatch(/^start bed-2 gain 0 /);
    await player.apply({ type: 'SET_LOUDNESS_NORMALIZATION', enabled: true });
    expect(page.calls.slice(-2)).toEqual(['setGain program-1 -10', 'setGain bed-2 -10']);
  });

  it('does not hold a start back for a slow lookup: the track starts unmeasured', async () => {
    const { player, page, loudnessOf } = setup();
    loudnessOf.mockImplementationOnce(() => new Promise(() => undefined));
    await player.apply(play('p1'));
    expect(page.calls.at(-1)).toBe('start program-1 gain 0 fadeIn 0');
  });
});

describe('MediaPlayer: restore', () => {
  it('resumes a PLAYING program at the position the show clock says, with its volume', async () => {
    const { player, page } = setup();
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 10, durationSeconds: 60, volume: 0.5, updatedAt: '2026-11-24T09:59:52.000Z' },
      programUrl: url('p1'),
    });
    expect(page.calls).toEqual([
      'setDeckVolume program 0.5',
      'setDeckVolume bed 1',
      'setDeckVolume clip 1',
      'load program-1 program /media/1 18',
      'start program-1 gain 0 fadeIn 0',
    ]);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PLAYING', positionSeconds: 18, volume: 0.5 });
  });

  it('moves the track on by the time loading took, so a slow load does not put it behind', async () => {
    const { player, page, advance } = setup();
    const load = page.load.bind(page);
    page.load = async (...args) => {
      advance(3);
      return load(...args);
    };
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 10, durationSeconds: 60, volume: 1, updatedAt: '2026-11-24T09:59:58.000Z' },
      programUrl: url('p1'),
    });
    expect(page.calls).toContain('load program-1 program /media/1 12');
    expect(page.calls).toContain('seek program-1 15');
  });

  it('resumes every deck: the program, the bed and a clip, each at its show-clock position, paused ones paused', async () => {
    const { player: first, advance } = setup({ loudness: { [url('b1')]: measured(-20) } });
    await first.apply(play('p1'));
    await first.apply(play('b1', { deck: 'bed' }));
    await first.apply({ type: 'SET_VOLUME', deck: 'bed', volume: 0.3 });
    advance(20);
    await first.apply({ type: 'PAUSE_MEDIA' });
    await first.apply(play('c1', { deck: 'clip' }));
    advance(2);
    const snapshot = await first.snapshot();

    const { player, page } = setup({ loudness: { [url('b1')]: measured(-20) } });
    await player.restore({ ...snapshot, nowPlaying: { ...snapshot.nowPlaying, updatedAt: '2026-11-24T09:59:55.000Z' } });
    const { decks } = (await player.snapshot()).nowPlaying;
    expect(decks?.program).toMatchObject({ programId: 'p1', state: 'PAUSED', positionSeconds: 20 });
    expect(decks?.bed).toMatchObject({ programId: 'b1', state: 'PLAYING', positionSeconds: 27, volume: 0.3, gainDb: 4 });
    expect(decks?.clip.clips).toMatchObject([{ programId: 'c1', state: 'PLAYING', positionSeconds: 7 }]);
    expect(page.calls).toContain('pause program-1 0');
  });

  it('does not restart a track whose end has passed by the show clock', async () => {
    const { player, page } = setup();
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 50, durationSeconds: 60, volume: 1, updatedAt: '2026-11-24T09:59:00.000Z' },
      programUrl: url('p1'),
    });
    expect(page.calls.filter((c) => !c.startsWith('setDeckVolume'))).toEqual([]);
  });
});

describe('MediaPlayer: ducking under voices', () => {
  it('puts the show’s settings in force, changes only the fields a SET_DUCKING names, and reports them in decks.ducking', async () => {
    const { player, page } = setup();
    await player.useDucking({ enabled: true, depthDb: 12, decks: ['bed'] });
    await player.apply({ type: 'SET_DUCKING', depthDb: 18, decks: ['bed', 'program'] });
    await player.apply({ type: 'SET_DUCKING', enabled: false });
    expect(page.calls).toEqual(['setDucking on 12 bed', 'setDucking on 18 bed+program', 'setDucking off 18 bed+program']);
    expect((await player.snapshot()).nowPlaying.decks?.ducking).toEqual({ enabled: false, depthDb: 18, decks: ['bed', 'program'] });
  });

  it('records each duck and its end the page makes, one entry per ducked deck, naming the track it holds', async () => {
    const page = new FakePageAudio();
    const events: AsRunRecord[] = [];
    const player = new MediaPlayer({ page, openMedia: (u) => ({ path: `/m/${u}`, failure: () => undefined, release: () => undefined }), onEvent: (e) => events.push(e) });
    await player.apply(play('bed-1', { deck: 'bed' }));
    events.length = 0;
    const atMs = Date.parse('2026-11-24T10:00:05.250Z');
    player.ducked({ event: 'DUCK', atMs, depthDb: 12, decks: ['bed', 'program'], cause: 'VOICE' });
    player.ducked({ event: 'UNDUCK', atMs: atMs + 2000, depthDb: 12, decks: ['bed', 'program'], cause: 'VOICE' });
    expect(events).toEqual([
      { at: '2026-11-24T10:00:05.250Z', event: 'DUCK', deck: 'bed', programId: 'bed-1', programUrl: url('bed-1'), gainDb: -12, cause: 'VOICE' },
      { at: '2026-11-24T10:00:05.250Z', event: 'DUCK', deck: 'program', programId: null, gainDb: -12, cause: 'VOICE' },
      { at: '2026-11-24T10:00:07.250Z', event: 'UNDUCK', deck: 'bed', programId: 'bed-1', programUrl: url('bed-1'), gainDb: 0, cause: 'VOICE' },
      { at: '2026-11-24T10:00:07.250Z', event: 'UNDUCK', deck: 'program', programId: null, gainDb: 0, cause: 'VOICE' },
    ]);
  });

  it('keeps a previous controller’s settings when it resumes the show', async () => {
    const { player, page } = setup();
    const ducking = { enabled: false, depthDb: 20, decks: ['bed' as const] };
    await player.restore({
      nowPlaying: {
        programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, updatedAt: T0.toISOString(),
        decks: {
          program: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, gainDb: 0 },
          bed: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, gainDb: 0 },
          clip: { volume: 1, clips: [] },
          normalizeLoudness: true,
          ducking,
        },
      },
      programUrl: null,
    });
    expect(page.calls).toContain('setDucking off 20 bed');
    expect((await player.snapshot()).nowPlaying.decks?.ducking).toEqual(ducking);
  });
});
