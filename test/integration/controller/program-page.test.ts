/**
 * Real Chromium, the controller's page and the IVS web SDK (the unmodified bundle) against the local IVS
 * stage: the page joins and publishes Opus and video, plays a tone, pauses, resumes, changes volume, and
 * leaves (its publication ends).
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { startPageServer, type PageServer } from '#controller/browser/page-server';
import { ProgramPage } from '#controller/browser/program-page';
import { toneWav } from '#harness/tone-wav';
import { chromiumPath } from '#harness/chromium';
import { startLocalIvsStage, type LocalIvsStage } from '#test/fixtures/stage/local-ivs-stage';
import { recordPublishedAudio, type PublishedAudio } from '#test/fixtures/stage/published-audio';

const CHROMIUM = chromiumPath();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The page's level, averaged over a few reads. */
async function averageLevel(page: ProgramPage): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 5; i++) {
    sum += (await page.status()).level;
    await sleep(40);
  }
  return sum / 5;
}

describe('ProgramPage with the IVS web SDK and real Chromium', () => {
  let chromium: LaunchedChromium;
  let server: PageServer;
  let local: LocalIvsStage;
  let audio: PublishedAudio;
  let page: ProgramPage;
  let dir: string;
  let tonePath: string;
  let stageArn: string;
  let participantId: string;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'controller-it-'));
    tonePath = join(dir, 'tone.wav');
    await writeFile(tonePath, toneWav({ frequency: 440, seconds: 30, amplitude: 0.5 }));
    local = await startLocalIvsStage();
    stageArn = await local.createStage('program-page');
    ({ token, participantId } = await local.token(stageArn, 'program-controller', ['PUBLISH']));
    audio = recordPublishedAudio(local.stage.participants, stageArn);
    server = await startPageServer();
    chromium = await launchChromium(CHROMIUM);
    page = await ProgramPage.open({ browser: chromium.browser, server, title: 'Integration show' });
  });

  afterAll(async () => {
    audio?.stop();
    await chromium?.close();
    await server?.close();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins the stage and publishes audio and video', async () => {
    await page.join(token, 30_000);
    expect(await page.stageState()).toBe('connected');
    expect(local.stage.participants.listPublications(stageArn)).toMatchObject([{ participantId, state: 'connected', route: 'sdk' }]);
    await sleep(1500);
    expect(audio.recent(1000).count).toBeGreaterThan(30); // ~50 packets/s of 20 ms Opus frames
    expect(local.stage.participants.listPublications(stageArn)[0]!.videoPackets).toBeGreaterThan(0);
  });

  it('plays a tone into the published audio, and pause silences it', async () => {
    const before = audio.recent(1000);
    const { durationSeconds } = await page.load(tonePath);
    expect(durationSeconds).toBeCloseTo(30, 1);
    await page.startPending(0, 'tone-440');
    await sleep(1500);
    const playing = audio.recent(1000);
    expect(playing.count).toBeGreaterThan(30);
    expect(playing.meanBytes).toBeGreaterThan(before.meanBytes * 1.6);
    expect(await averageLevel(page)).toBeGreaterThan(0.2); // RMS of a 0.5 sine is 0.35

    const pausedAt = await page.pause();
    await sleep(1200);
    const paused = await page.status();
    expect(paused.playing).toBe(false);
    expect(paused.positionSeconds).toBeCloseTo(pausedAt, 5);
    expect(await averageLevel(page)).toBeLessThan(0.01);
    expect(audio.recent(800).meanBytes).toBeLessThan((before.meanBytes + playing.meanBytes) / 2);

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

  it('seeks, stops, keeps sending silence, and leaves the stage', async () => {
    await page.seek(20);
    expect((await page.status()).positionSeconds).toBeGreaterThanOrEqual(20);
    await page.stop();
    expect(await page.status()).toMatchObject({ loaded: false, playing: false });
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
