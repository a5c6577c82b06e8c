/**
 * Real Chromium, the controller's page and its WHIP stage connection, against a werift WHIP endpoint:
 * the page joins through a 307, publishes Opus and H.264, plays a tone, pauses, resumes, changes
 * volume, and leaves (DELETE of its resource).
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { startPageServer, type PageServer } from '#controller/browser/page-server';
import { ProgramPage } from '#controller/browser/program-page';
import { fakeParticipantToken, toneWav } from '#harness/tone-wav';
import { startWhipTestEndpoint, type WhipTestEndpoint } from './whip-test-endpoint.ts';
import { chromiumPath } from '#harness/chromium';

const CHROMIUM = chromiumPath();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Audio packets received in the last `ms`, and their mean payload size (Opus silence is a few bytes). */
function recentAudio(endpoint: WhipTestEndpoint, ms: number): { count: number; meanBytes: number } {
  const since = Date.now() - ms;
  const recent = endpoint.audio.filter((p) => p.atMs >= since);
  return { count: recent.length, meanBytes: recent.reduce((sum, p) => sum + p.payloadBytes, 0) / Math.max(1, recent.length) };
}

/** The page's level, averaged over a few reads. */
async function averageLevel(page: ProgramPage): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 5; i++) {
    sum += (await page.status()).level;
    await sleep(40);
  }
  return sum / 5;
}

describe('ProgramPage over WHIP with real Chromium', () => {
  let chromium: LaunchedChromium;
  let server: PageServer;
  let endpoint: WhipTestEndpoint;
  let page: ProgramPage;
  let dir: string;
  let tonePath: string;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'controller-it-'));
    tonePath = join(dir, 'tone.wav');
    await writeFile(tonePath, toneWav({ frequency: 440, seconds: 30, amplitude: 0.5 }));
    endpoint = await startWhipTestEndpoint();
    token = fakeParticipantToken({ whip_url: `${endpoint.origin}/moved`, jti: 'p-1', capabilities: { allow_publish: true } });
    endpoint.acceptedToken = token;
    server = await startPageServer();
    chromium = await launchChromium(CHROMIUM);
    page = await ProgramPage.open({ browser: chromium.browser, server, title: 'Integration show' });
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await endpoint?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins through a redirect, re-sending the bearer token, and publishes audio and video', async () => {
    await page.join('whip', token, 30_000);
    expect(await page.stageState()).toBe('connected');
    const posts = endpoint.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.authorization]);
    expect(posts).toEqual([
      ['/moved', `Bearer ${token}`],
      ['/whip', `Bearer ${token}`],
    ]);
    await sleep(1500);
    const silence = recentAudio(endpoint, 1000);
    expect(silence.count).toBeGreaterThan(30); // ~50 packets/s of 20 ms Opus frames
    expect(endpoint.videoPackets()).toBeGreaterThan(0);
  });

  it('plays a tone into the published audio, and pause silences it', async () => {
    const before = recentAudio(endpoint, 1000);
    const { durationSeconds } = await page.load(tonePath);
    expect(durationSeconds).toBeCloseTo(30, 1);
    await page.startPending(0, 'tone-440');
    await sleep(1500);
    const playing = recentAudio(endpoint, 1000);
    expect(playing.count).toBeGreaterThan(30);
    // A tone takes Opus about twice the bytes of silence (measured: ~35 vs ~80 bytes a frame).
    expect(playing.meanBytes).toBeGreaterThan(before.meanBytes * 1.6);
    const level = await averageLevel(page);
    expect(level).toBeGreaterThan(0.2); // RMS of a 0.5 sine is 0.35

    const pausedAt = await page.pause();
    await sleep(1200);
    const paused = await page.status();
    expect(paused.playing).toBe(false);
    expect(paused.positionSeconds).toBeCloseTo(pausedAt, 5);
    expect(await averageLevel(page)).toBeLessThan(0.01);
    expect(recentAudio(endpoint, 800).meanBytes).toBeLessThan((before.meanBytes + playing.meanBytes) / 2);

    await page.play(pausedAt);
    await sleep(500);
    const resumed = await page.status();
    expect(resumed.playing).toBe(true);
    expect(resumed.positionSeconds).toBeGreaterThan(pausedAt + 0.3);
  });

  it('ramps the volume down and the level follows', async () => {
    const full = await averageLevel(page);
    await page.setVolume(0.25);
    await sleep(500);
    const quiet = await averageLevel(page);
    expect(quiet / full).toBeGreaterThan(0.2);
    expect(quiet / full).toBeLessThan(0.3);
    expect((await page.status()).volume).toBe(0.25);
  });

  it('seeks, stops, and leaves the stage by deleting its WHIP resource', async () => {
    await page.seek(20);
    expect((await page.status()).positionSeconds).toBeGreaterThanOrEqual(20);
    await page.stop();
    const stopped = await page.status();
    expect(stopped).toMatchObject({ loaded: false, playing: false });
    // Nothing plays now, and the page still sends audio (silence) at the frame rate: a track that stopped
    // sending would go on from the timestamp it stopped at, and the stage would place the next program late.
    await sleep(2500);
    expect(recentAudio(endpoint, 1000).count).toBeGreaterThan(40);
    await page.leave();
    expect(endpoint.deleted).toHaveLength(1);
    expect(await page.stageState()).toBe('disconnected');
  });
});
