/**
 * The host console in real Chromium against one real local cloud (`npm start`'s process): local sign-in,
 * upload a track (file picker, progress), start a show and watch it go LIVE, join the stage with the IVS web
 * SDK and a fake microphone (a 300 Hz "voice"), play the track (a 1 kHz tone) and see the command APPLIED,
 * the track playing and the program's level meter move (the host hears it), get a caller's link, end the
 * show, and find both the voice and the track in the recording the page offers. The
 * screenshot of the live show goes to docs/images/console.png (with SHELCASTER_UPDATE_SCREENSHOTS=1).
 */
import { screenshotPath } from '#test/support/screenshots';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { buildConsole, closeConsoleBrowser, launchConsoleBrowser, waitForPage as waitForConsole } from '#test/support/console-browser';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { decodeMono, findPresence, medianAmplitude, toneTrack, writeToneWav } from '#harness/tones';

const VOICE_HZ = 300;
const TRACK_HZ = 1000;
/** Long enough to play on while the test checks the page, however loaded the machine. */
const TRACK_SECONDS = 20;
const SCREENSHOT = screenshotPath('console.png');

let cloud: RunningLocalCloud;
let browser: Browser;
let page: Page;
let work: string;
let trackFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'host-console-'));
  buildConsole();
  const voiceFile = join(work, 'voice.wav');
  trackFile = join(work, 'tone-1khz.wav');
  await writeToneWav(voiceFile, [{ frequency: VOICE_HZ, seconds: 30 }]);
  await writeToneWav(trackFile, [{ frequency: TRACK_HZ, seconds: TRACK_SECONDS }]);
  cloud = await startLocalCloud();
  browser = await launchConsoleBrowser({ profileDir: join(work, 'profile'), microphoneFile: voiceFile });
  page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 1500 });
}, 180_000);

afterAll(async () => {
  await closeConsoleBrowser(browser);
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? '');

/** Fails with what the page shows (and the participant list's HTML) when the condition does not hold in time. */
const waitForPage = (condition: string, timeout: number, what: string) => waitForConsole(page, condition, timeout, what, '#participants');

describe('Host console: a show run from the browser', () => {
  it('signs in, uploads and plays a track live with the host on the mic, ends, and offers a recording of both', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));

    await page.goto(`${cloud.apiUrl}/`);
    await page.$eval('#local-user', (input) => ((input as HTMLInputElement).value = 'console-host'));
    await page.click('#local-sign-in button[type=submit]');
    await waitForPage(`document.querySelector('#who').textContent === 'Signed in as console-host'`, 10_000, 'the sign-in');

    const picker = await page.$('#file-input');
    await (picker as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(trackFile);
    await waitForPage(`document.querySelector('#uploads li[data-uploaded]') !== null`, 30_000, 'the upload');
    expect(await text('#tracks tbody')).toContain('tone-1khz');

    await page.$eval('#show-name', (input) => ((input as HTMLInputElement).value = 'Console show'));
    await page.click('#start-button');
    await waitForPage(`document.querySelector('#show-status').dataset.status === 'STARTING'`, 10_000, 'STARTING');
    await waitForPage(`document.querySelector('#show-status').dataset.status === 'LIVE'`, 90_000, 'the show to go LIVE');

    // The fake microphone plays a file, as a host with headphones: the voice goes unprocessed.
    await page.click('#headphones');
    await page.click('#join-button');
    await waitForPage(`document.querySelector('#stage-status').textContent.includes('on the stage')`, 30_000, 'the host to join the stage');
    await waitForPage(`[...document.querySelectorAll('#participants li')].some((li) => li.textContent.includes('(you)'))`, 15_000, 'the host in the participant list');
    await waitForPage(`[...document.querySelectorAll('#participants li')].some((li) => li.dataset.role === 'CONTROLLER')`, 15_000, 'the program in the participant list');
    expect(await text('#participants')).toContain('Program');
    expect((await page.$$('#participants li')).length).toBe(2); // the host and the program controller
    const programLevel = () => page.$eval('#participants li[data-role="CONTROLLER"]', (li) => Number((li as HTMLElement).dataset.level));
    // The host's own meter shows the microphone; the program is silent before anything plays.
    await waitForPage(`Number(document.querySelector('#participants li:first-child').dataset.level) > 0.01`, 10_000, 'the microphone level');
    expect(await programLevel()).toBeLessThan(0.01);

    await page.click('#tracks tbody button[aria-label="Play tone-1khz"]');
    await waitForPage(`document.querySelector('#commands li')?.dataset.status === 'APPLIED'`, 30_000, 'PLAY_MEDIA to be applied');
    expect(await text('#commands li')).toContain('Play “tone-1khz”: APPLIED');
    await waitForPage(`document.querySelector('#now-playing').dataset.state === 'PLAYING'`, 10_000, 'the track to play');
    const playingSeenAt = Date.now();
    expect(await text('#now-playing')).toMatch(/^Playing: tone-1khz — 0:\d\d \/ 0:20/);
    // The host hears the program: its meter moves with the track.
    await waitForPage(`Number(document.querySelector('#participants li[data-role="CONTROLLER"]').dataset.level) > 0.05`, 7_000, 'the program level while the track plays');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, playingSeenAt + 3_000 - Date.now()))); // voice and track together on air

    // A caller's link: the caller page with a caller token in the fragment.
    await page.click('#invite-button');
    await waitForPage(`document.querySelector('#caller-link').value.length > 0`, 10_000, 'the caller link');
    const link = new URL(await page.$eval('#caller-link', (input) => (input as HTMLInputElement).value));
    expect(`${link.origin}${link.pathname}`).toBe(`${cloud.apiUrl}/call`);
    const callerClaims = JSON.parse(Buffer.from(new URLSearchParams(link.hash.slice(1)).get('token')!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(callerClaims).toMatchObject({ attributes: { role: 'CALLER', displayName: 'Caller' }, capabilities: { allow_publish: true, allow_subscribe: true } });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.click('#end-button');
    await waitForPage(`document.querySelector('#show-status').dataset.status === 'ENDED'`, 60_000, 'the show to end');
    expect(await text('#show-reason')).toContain('ENDED_BY_HOST');
    await waitForPage(`document.querySelector('#recording-status').dataset.ready === 'true'`, 90_000, 'the recording');
    const recordingUrl = await page.$eval('#recording-download', (link) => (link as HTMLAnchorElement).href);
    expect(await page.$eval('#recording-audio', (audio) => (audio as HTMLAudioElement).src)).toBe(recordingUrl);

    const episode = await fetch(recordingUrl);
    expect(episode.status).toBe(200);
    const episodeFile = join(work, 'episode.m4a');
    writeFileSync(episodeFile, Buffer.from(await episode.arrayBuffer()));
    const samples = await decodeMono(episodeFile);
    const seconds = samples.length / 48_000;
    const voice = toneTrack(samples, VOICE_HZ);
    const track = toneTrack(samples, TRACK_HZ);
    // Somewhere in the show both are on air at once, each well above the other's leakage.
    const overlapping = [];
    for (let t = 0; t + 1 <= seconds; t += 0.5) {
      if (medianAmplitude(voice, t, t + 1) > 0.01 && medianAmplitude(track, t, t + 1) > 0.01) overlapping.push(t);
    }
    expect(overlapping.length).toBeGreaterThanOrEqual(4);
    // Both are in the recording for seconds, not a blip: the voice from the join on, the track for as long as
    // it played (its 20 s or less).
    const voiceSeconds = findPresence(voice, 0.01).reduce((sum, p) => sum + p.endSeconds - p.startSeconds, 0);
    const trackSeconds = findPresence(track, 0.01).reduce((sum, p) => sum + p.endSeconds - p.startSeconds, 0);
    expect(voiceSeconds).toBeGreaterThan(2.5);
    expect(trackSeconds).toBeGreaterThan(2.5);
    expect(trackSeconds).toBeLessThan(TRACK_SECONDS + 0.5);
    expect(errors).toEqual([]);
  }, 360_000);
});
