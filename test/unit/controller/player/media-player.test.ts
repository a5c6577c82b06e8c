import { describe, expect, it, vi } from 'vitest';
import { MediaPlayer } from '#controller/player/media-player';
import { CommandRejectedError } from '#controller/errors';
import { MediaRefusedError } from '#controller/media/media-errors';
import { FakePageAudio } from '../fake-page-audio.ts';

const T0 = new Date('2026-11-24T10:00:00.000Z');

function setup() {
  const page = new FakePageAudio();
  let now = T0.getTime();
  const fetchMedia = vi.fn(async (url: string) => ({ filePath: `/tmp/does-not-exist/${encodeURIComponent(url)}` }));
  const player = new MediaPlayer({ page, fetchMedia, now: () => new Date(now) });
  const advance = (seconds: number) => {
    page.clockSeconds += seconds;
    now += seconds * 1000;
  };
  return { page, player, fetchMedia, advance };
}

const play = (programId = 'p1', startAtSeconds?: number) =>
  ({ type: 'PLAY_MEDIA', programId, programUrl: `s3://bucket/media/${programId}.wav`, startAtSeconds }) as const;

describe('MediaPlayer: commands', () => {
  it('plays a program from its start and reports it PLAYING', async () => {
    const { player, page, advance } = setup();
    await player.apply(play());
    advance(2);
    const { nowPlaying, programUrl } = await player.snapshot();
    expect(nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING', positionSeconds: 2, durationSeconds: 60, volume: 1 });
    expect(nowPlaying.updatedAt).toBe('2026-11-24T10:00:02.000Z');
    expect(programUrl).toBe('s3://bucket/media/p1.wav');
    expect(page.calls).toContain('startPending 0 p1');
  });

  it('starts at startAtSeconds and refuses a start beyond the end', async () => {
    const { player, page } = setup();
    await player.apply(play('p1', 12));
    expect((await player.snapshot()).nowPlaying.positionSeconds).toBe(12);
    await expect(player.apply(play('p2', 60))).rejects.toBeInstanceOf(CommandRejectedError);
    expect(page.calls.at(-1)).toBe('discardPending');
    expect((await player.snapshot()).nowPlaying.programId).toBe('p1');
  });

  it('pauses and resumes at the paused position', async () => {
    const { player, page, advance } = setup();
    await player.apply(play());
    advance(5);
    await player.apply({ type: 'PAUSE_MEDIA' });
    advance(10);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PAUSED', positionSeconds: 5 });
    await player.apply({ type: 'RESUME_MEDIA' });
    advance(1);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PLAYING', positionSeconds: 6 });
    expect(page.calls).toContain('play 5');
  });

  it('treats pause while paused and resume while playing as already done', async () => {
    const { player } = setup();
    await player.apply(play());
    await player.apply({ type: 'RESUME_MEDIA' });
    await player.apply({ type: 'PAUSE_MEDIA' });
    await player.apply({ type: 'PAUSE_MEDIA' });
    expect((await player.snapshot()).nowPlaying.state).toBe('PAUSED');
  });

  it('refuses pause, resume and seek when nothing plays', async () => {
    const { player } = setup();
    await expect(player.apply({ type: 'PAUSE_MEDIA' })).rejects.toThrow('nothing is playing');
    await expect(player.apply({ type: 'RESUME_MEDIA' })).rejects.toThrow('nothing is paused');
    await expect(player.apply({ type: 'SEEK_MEDIA', seconds: 1 })).rejects.toBeInstanceOf(CommandRejectedError);
  });

  it('stops and forgets the program', async () => {
    const { player } = setup();
    await player.apply(play());
    await player.apply({ type: 'STOP_MEDIA' });
    expect(await player.snapshot()).toMatchObject({
      nowPlaying: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null },
      programUrl: null,
    });
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
  });

  it('sets the volume in any state and reports it', async () => {
    const { player, page } = setup();
    await player.apply({ type: 'SET_VOLUME', volume: 0.4 });
    expect(page.calls).toEqual(['setVolume 0.4']);
    expect((await player.snapshot()).nowPlaying.volume).toBe(0.4);
  });

  it('replaces what plays with a new program', async () => {
    const { player, advance } = setup();
    await player.apply(play('p1'));
    advance(3);
    await player.apply(play('p2'));
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p2', positionSeconds: 0, state: 'PLAYING' });
  });

  it('keeps playing the current program when the new one is refused or cannot be decoded', async () => {
    const { player, page, fetchMedia } = setup();
    await player.apply(play('p1'));
    fetchMedia.mockRejectedValueOnce(new MediaRefusedError('programUrl refused: non-public address'));
    await expect(player.apply(play('p2'))).rejects.toThrow('non-public');
    page.nextLoad = new Error('Unable to decode audio data');
    await expect(player.apply(play('p3'))).rejects.toThrow('media could not be decoded: Unable to decode audio data');
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'PLAYING' });
  });

  it('refuses media longer than the maximum duration', async () => {
    const { player, page } = setup();
    page.nextLoad = { durationSeconds: 3 * 60 * 60 };
    await expect(player.apply(play())).rejects.toThrow('more than 7200 s');
    expect(page.calls.at(-1)).toBe('discardPending');
  });

  it('reports a program that played to its end as STOPPED at its end', async () => {
    const { player, page, advance } = setup();
    page.nextLoad = { durationSeconds: 4 };
    await player.apply(play());
    advance(5);
    expect(player.playing).toBe(true);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ programId: 'p1', state: 'STOPPED', positionSeconds: 4 });
    expect(player.playing).toBe(false);
    await expect(player.apply({ type: 'PAUSE_MEDIA' })).rejects.toThrow('nothing is playing');
  });
});

describe('MediaPlayer: restore', () => {
  it('resumes a PLAYING program at the position the show clock says, with its volume', async () => {
    const { player, page } = setup();
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 10, durationSeconds: 60, volume: 0.5, updatedAt: '2026-11-24T09:59:52.000Z' },
      programUrl: 's3://bucket/media/p1.wav',
    });
    expect(page.calls).toEqual(['setVolume 0.5', 'load /tmp/does-not-exist/s3%3A%2F%2Fbucket%2Fmedia%2Fp1.wav', 'startPending 18 p1']);
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PLAYING', positionSeconds: 18, volume: 0.5 });
  });

  it('reads the show clock once the media is loaded, so a slow fetch does not put the program behind', async () => {
    const { player, page, fetchMedia, advance } = setup();
    fetchMedia.mockImplementationOnce(async (url: string) => {
      advance(3);
      return { filePath: `/tmp/does-not-exist/${encodeURIComponent(url)}` };
    });
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 10, durationSeconds: 60, volume: 1, updatedAt: '2026-11-24T09:59:58.000Z' },
      programUrl: 's3://bucket/media/p1.wav',
    });
    expect(page.calls).toContain('startPending 15 p1');
  });

  it('restores a PAUSED program paused at its position', async () => {
    const { player } = setup();
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PAUSED', positionSeconds: 10, durationSeconds: 60, volume: 1, updatedAt: '2026-11-24T09:00:00.000Z' },
      programUrl: 's3://bucket/media/p1.wav',
    });
    expect((await player.snapshot()).nowPlaying).toMatchObject({ state: 'PAUSED', positionSeconds: 10 });
  });

  it('does not restart a program whose end has passed by the show clock', async () => {
    const { player, page } = setup();
    await player.restore({
      nowPlaying: { programId: 'p1', state: 'PLAYING', positionSeconds: 50, durationSeconds: 60, volume: 1, updatedAt: '2026-11-24T09:59:00.000Z' },
      programUrl: 's3://bucket/media/p1.wav',
    });
    expect(page.calls).toEqual(['setVolume 1']);
  });
});
