/**
 * Real Chromium, the controller's page (its mixing desk) and the IVS web SDK (the unmodified bundle) against
 * the local IVS stage: the page joins and publishes Opus and video; tracks in every accepted format (made by
 * ffmpeg) stream into `<audio>` elements through the page server's media proxy in HTTP ranges; a seek reads
 * from where it lands; pause, resume, fades (and a fade-out a track plays on through), deck volume and the
 * limiter act on the level sent; the page leaves (its publication ends).
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_SECONDS } from '#contract/index';
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { startPageServer, type PageServer } from '#controller/browser/page-server';
import { ProgramPage } from '#controller/browser/program-page';
import type { ByteRange, MediaSource } from '#controller/media/media-source';
import { chromiumPath } from '#harness/chromium';
import { startLocalIvsStage, type LocalIvsStage } from '#test/fixtures/stage/local-ivs-stage';
import { recordPublishedAudio, type PublishedAudio } from '#test/fixtures/stage/published-audio';

const run = promisify(execFile);
const CHROMIUM = chromiumPath();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The accepted formats, each as ffmpeg makes it, with the content type it is uploaded as. */
const FORMATS = [
  { file: 'tone.wav', type: 'audio/wav', codec: ['-c:a', 'pcm_s16le'] },
  { file: 'tone.mp3', type: 'audio/mpeg', codec: ['-c:a', 'libmp3lame', '-b:a', '64k'] },
  { file: 'tone.ogg', type: 'audio/ogg', codec: ['-c:a', 'libopus', '-b:a', '48k'] },
  { file: 'tone.opus', type: 'audio/opus', codec: ['-c:a', 'libopus', '-b:a', '48k'] },
  { file: 'tone.m4a', type: 'audio/mp4', codec: ['-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart'] },
  { file: 'tone.aac', type: 'audio/aac', codec: ['-c:a', 'aac', '-b:a', '64k'] },
] as const;

/** The page's level, averaged over a few reads. */
async function averageLevel(page: ProgramPage): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 5; i++) {
    sum += (await page.status()).level;
    await sleep(40);
  }
  return sum / 5;
}

/** A file read in ranges as the media bucket answers them; counts the bytes it hands out and the ranges asked. */
function fileSource(path: string, type: string, size: number) {
  const stats = { bytes: 0, ranges: [] as (ByteRange | undefined)[] };
  const source: MediaSource = {
    async read(range) {
      stats.ranges.push(range);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      const body = createReadStream(path, { start, end });
      body.on('data', (chunk) => (stats.bytes += chunk.length));
      return range
        ? { status: 206, contentType: type, totalBytes: size, contentRange: `bytes ${start}-${end}/${size}`, contentLength: end - start + 1, body }
        : { status: 200, contentType: type, totalBytes: size, contentRange: undefined, contentLength: size, body };
    },
  };
  return { source, stats };
}

/** ffmpeg: a mono 440 Hz tone of `seconds` (amplitude 1/8 unless told) in a format. */
async function tone(path: string, seconds: number, codec: readonly string[], options: { volume?: number; frequency?: number } = {}) {
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${options.frequency ?? 440}:duration=${seconds}:sample_rate=48000`,
    '-af', `volume=${options.volume ?? 1}`, '-ac', '1', ...codec, path,
  ]);
}

describe('ProgramPage with the IVS web SDK and real Chromium', () => {
  let chromium: LaunchedChromium;
  let server: PageServer;
  let local: LocalIvsStage;
  let audio: PublishedAudio;
  let stageArn: string;
  let participantId: string;
  let page: ProgramPage;
  let dir: string;
  let token: string;
  let voices = 0;

  /** Registers a file with the page server and loads it into a new voice on a deck. */
  async function load(file: string, type: string, deck: 'program' | 'bed' | 'clip' = 'program', startAt = 0) {
    const path = join(dir, file);
    const { source, stats } = fileSource(path, type, (await stat(path)).size);
    const media = server.media.register(source, 200 * 1024 * 1024);
    const voiceId = `v${++voices}`;
    const { durationSeconds } = await page.load(voiceId, deck, media.path, startAt, MAX_MEDIA_SECONDS);
    return { voiceId, durationSeconds, stats, media };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'controller-it-'));
    await Promise.all([
      ...FORMATS.map((f) => tone(join(dir, f.file), 3, f.codec)),
      tone(join(dir, 'long.wav'), 30, ['-c:a', 'pcm_s16le'], { volume: 4 }),
      tone(join(dir, 'loud.wav'), 10, ['-c:a', 'pcm_s16le'], { volume: 7.9, frequency: 997 }),
      // Ten minutes of 48 kHz PCM (58 MB: far more than the element buffers ahead) for the seek.
      tone(join(dir, 'ten.wav'), 600, ['-c:a', 'pcm_s16le']),
    ]);
    local = await startLocalIvsStage();
    stageArn = await local.createStage('program-page');
    ({ token, participantId } = await local.token(stageArn, 'program-controller', ['PUBLISH', 'SUBSCRIBE']));
    audio = recordPublishedAudio(local.stage.participants, stageArn);
    server = await startPageServer();
    chromium = await launchChromium(CHROMIUM);
    page = await ProgramPage.open({ browser: chromium.browser, server, title: 'Integration show' });
  }, 120_000);

  afterAll(async () => {
    audio?.stop();
    await chromium?.close();
    await server?.close();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins the stage and publishes audio and video, after a refused join too (the controller joins again once)', async () => {
    // A token whose signature is broken: the stage refuses it, and the page can join again (join-stage.ts).
    const forged = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    await expect(page.join(forged, 30_000)).rejects.toThrow(/^Joining the stage failed/);
    expect(await page.stageState()).not.toBe('connected');
    await page.join(token, 30_000);
    expect(await page.stageState()).toBe('connected');
    expect(local.stage.participants.listPublications(stageArn)).toMatchObject([{ participantId, state: 'connected', route: 'sdk' }]);
    await sleep(1500);
    expect(audio.recent(1000).count).toBeGreaterThan(30); // ~50 packets/s of 20 ms Opus frames
    expect(local.stage.participants.listPublications(stageArn)[0]!.videoPackets).toBeGreaterThan(0);
  });

  it.each(FORMATS)('streams $file ($type) and plays it', async ({ file, type }) => {
    const { voiceId, durationSeconds, stats, media } = await load(file, type);
    expect(durationSeconds).toBeGreaterThan(2.9);
    expect(durationSeconds).toBeLessThan(3.1);
    await page.start(voiceId, { gainDb: 0, fadeInSeconds: 0, label: file });
    await sleep(600);
    const status = (await page.status()).voices[voiceId]!;
    expect(status.playing).toBe(true);
    expect(status.positionSeconds).toBeGreaterThan(0.3);
    expect(await averageLevel(page)).toBeGreaterThan(0.05); // RMS of a 1/8 sine is 0.088
    expect(stats.ranges[0]).toEqual({ start: 0 });
    await page.stop(voiceId, 0);
    media.release();
  });

  it('starts a voice whose start was sent right behind its load once it is loaded; never starts one its load refused', async () => {
    const path = join(dir, 'tone.wav');
    const { source } = fileSource(path, 'audio/wav', (await stat(path)).size);
    const media = server.media.register(source, 200 * 1024 * 1024);
    const start = (voiceId: string) => page.start(voiceId, { gainDb: 0, fadeInSeconds: 0, label: voiceId });
    const sentAt = Date.now();
    const [loaded, started] = await Promise.all([page.load('behind', 'clip', media.path, 0, MAX_MEDIA_SECONDS), start('behind')]);
    const answeredAt = Date.now();
    expect(loaded).toMatchObject({ startable: true });
    expect(started.started).toBe(true);
    // The time it began to play, by the page's clock (the same machine's): between sending and the answer.
    expect(started.atMs).toBeGreaterThanOrEqual(sentAt);
    expect(started.atMs).toBeLessThanOrEqual(answeredAt);
    expect((await page.status()).voices['behind']).toMatchObject({ playing: true });
    await page.stop('behind', 0);
    // An offset at or past its end (3 s), or a track longer than the most allowed: let go at once, never started.
    expect(await Promise.all([page.load('past', 'clip', media.path, 3, MAX_MEDIA_SECONDS), start('past')])).toMatchObject([{ startable: false }, { started: false }]);
    expect(await Promise.all([page.load('long', 'clip', media.path, 0, 2), start('long')])).toMatchObject([{ startable: false }, { started: false }]);
    expect(Object.keys((await page.status()).voices)).not.toEqual(expect.arrayContaining(['past']));
    expect(Object.keys((await page.status()).voices)).not.toEqual(expect.arrayContaining(['long']));
    media.release();
  });

  it('seeks near the end of a long track reading from where it lands, not what lies before', { timeout: 60_000 }, async () => {
    const { voiceId, durationSeconds, stats, media } = await load('ten.wav', 'audio/wav');
    expect(durationSeconds).toBeCloseTo(600, 0);
    await page.start(voiceId, { gainDb: 0, fadeInSeconds: 0, label: 'ten' });
    await sleep(300);
    const before = stats.bytes;
    await page.seek(voiceId, 570);
    await sleep(700);
    const status = (await page.status()).voices[voiceId]!;
    expect(status.positionSeconds).toBeGreaterThan(570.3);
    expect(status.playing).toBe(true);
    const seekRange = stats.ranges.at(-1)!;
    const fileBytes = (await stat(join(dir, 'ten.wav'))).size;
    expect(seekRange.start).toBeGreaterThan(fileBytes * 0.9);
    // Before the seek, only what the element buffers ahead (and the loopback socket holds) was read: well short
    // of where the seek lands (how far ahead it buffers grows with the time the page had on a busy machine).
    expect(before).toBeLessThan(seekRange.start / 2);
    expect(await averageLevel(page)).toBeGreaterThan(0.05);
    await page.stop(voiceId, 0);
    media.release();
  });

  it('plays a track into the published audio; a pause with a fade silences it, and resume picks it up where it paused', async () => {
    // A second of silence after the tracks before: once the page's own mix is quiet (a busy machine may still
    // be playing out the last one), what it publishes over the next second is silence.
    await expect.poll(() => averageLevel(page)).toBeLessThan(0.001);
    await sleep(1200);
    const before = audio.recent(1000);
    const { voiceId, durationSeconds } = await load('long.wav', 'audio/wav');
    expect(durationSeconds).toBeCloseTo(30, 1);
    await page.start(voiceId, { gainDb: 0, fadeInSeconds: 0, label: 'tone-440' });
    await sleep(1500);
    const playing = audio.recent(1000);
    expect(playing.count).toBeGreaterThan(30);
    // A tone takes Opus about twice the bytes of silence (measured: ~35 vs ~80 bytes a frame).
    expect(playing.meanBytes).toBeGreaterThan(before.meanBytes * 1.6);
    expect(await averageLevel(page)).toBeGreaterThan(0.2); // RMS of a 0.5 sine is 0.35

    await page.pause(voiceId, 0.5);
    await sleep(200);
    const fading = await averageLevel(page);
    expect(fading).toBeGreaterThan(0.01); // half way through the fade-out: quieter, not silent
    await sleep(1200);
    const paused = (await page.status()).voices[voiceId]!;
    expect(paused.playing).toBe(false);
    expect(await averageLevel(page)).toBeLessThan(0.01);
    await sleep(300);
    expect((await page.status()).voices[voiceId]!.positionSeconds).toBeCloseTo(paused.positionSeconds, 5);

    await page.resume(voiceId, 0);
    await sleep(500);
    const resumed = (await page.status()).voices[voiceId]!;
    expect(resumed.playing).toBe(true);
    expect(resumed.positionSeconds).toBeGreaterThan(paused.positionSeconds + 0.3);
  });

  it('ramps a deck’s volume down and the level follows', async () => {
    const full = await averageLevel(page);
    await page.setDeckVolume('program', 0.25);
    await sleep(500);
    const quiet = await averageLevel(page);
    expect(quiet / full).toBeGreaterThan(0.2);
    expect(quiet / full).toBeLessThan(0.3);
    await page.setDeckVolume('program', 1);
  });

  it('keeps the mix under the ceiling when a loud track and the program add up (limiter)', async () => {
    const loud = await load('loud.wav', 'audio/wav', 'clip');
    // A near-full-scale sine raised by 6 dB, over the 0.5 sine of the program deck.
    await page.start(loud.voiceId, { gainDb: 6, fadeInSeconds: 0, label: 'loud' });
    await sleep(700);
    const level = await averageLevel(page);
    // Under −1 dBTP (0.891) every sample is; RMS of a sine at that peak is 0.63.
    expect(level).toBeLessThan(0.65);
    expect(level).toBeGreaterThan(0.4);
    await page.stop(loud.voiceId, 0);
  });

  it('fades a track out while it plays on toward its end (an item fade-out); a seek brings it back to full', async () => {
    // Only this track is heard: the program deck (still playing the track resumed above) is turned down.
    await page.setDeckVolume('program', 0);
    const { voiceId, media } = await load('long.wav', 'audio/wav', 'bed');
    await page.start(voiceId, { gainDb: 0, fadeInSeconds: 0, label: 'bed' });
    await sleep(700);
    expect(await averageLevel(page)).toBeGreaterThan(0.2);
    await page.fadeOut(voiceId, 0.5);
    await sleep(1000);
    expect(await averageLevel(page)).toBeLessThan(0.01);
    // Unlike a pause or a stop, it plays on: still playing, its position moving toward its end.
    const faded = (await page.status()).voices[voiceId]!;
    expect(faded.playing).toBe(true);
    await sleep(300);
    expect((await page.status()).voices[voiceId]!.positionSeconds).toBeGreaterThan(faded.positionSeconds + 0.1);
    await page.seek(voiceId, 1);
    await sleep(500);
    expect(await averageLevel(page)).toBeGreaterThan(0.2);
    await page.stop(voiceId, 0);
    media.release();
    await page.setDeckVolume('program', 1);
  });

  it('stops, keeps sending silence, and leaves the stage', async () => {
    const { voices: all } = await page.status();
    for (const id of Object.keys(all)) await page.stop(id, 0);
    await sleep(300);
    expect(Object.keys((await page.status()).voices)).toEqual([]);
    // Nothing plays now, and the page still sends audio (silence) at the frame rate: a track that stopped
    // sending would go on from the timestamp it stopped at, and the stage would place the next program late.
    await sleep(2500);
    expect(audio.recent(1000).count).toBeGreaterThan(40);
    const ended: string[] = [];
    local.stage.participants.on('publicationEnded', (p) => ended.push(`${p.participantId}:${p.leaveReason}`));
    await page.leave();
    await expect.poll(() => ended, { timeout: 10_000 }).toEqual([`${participantId}:DELETED`]);
    expect(await page.stageState()).toBe('disconnected');
  });
});
