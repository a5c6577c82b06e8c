/**
 * Issue 18 in the host console, in real Chromium against one real local cloud: a produced show.
 *
 * - The running order: three tracks added from the track list, one moved by dragging it, one moved back with
 *   the keyboard (its ↓ button, Enter), one set to follow on; each edit is what the run-of-show (the API) then
 *   holds, in that order.
 * - NEXT plays the first item (marked ON AIR), and the second follows on by itself.
 * - An edit made on a version another tab has moved past is refused: the page says so and shows the list as
 *   it now is.
 * - The cue: while the show is live and recorded and the host is on the stage with the microphone (a 300 Hz
 *   "voice"), the host cues the third track (a 1.5 kHz tone) from 5 s in the console; the page records when
 *   the cue started and stopped. The recording holds the program's tone and the host's voice then, and
 *   nothing at the cue's frequency, by those times on the recording's own timeline (its playlist's first
 *   program date-time).
 * - After the show: the as-run log (its PLAYs) and the chapters (one per item played) are shown.
 * - Editing an item's fade-in, crossfade and note (its Edit form, one UPDATE), and the same edit refused with
 *   409 when another tab changed the list after the form was opened: the page says so, nothing of it is
 *   written, and made again it is saved.
 * The screenshot of the produced show goes to docs/images/console-run-of-show.png (with
 * SHELCASTER_UPDATE_SCREENSHOTS=1).
 */
import { screenshotPath } from '#test/support/screenshots';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, ElementHandle, HTTPRequest, Page } from 'puppeteer-core';
import { buildConsole, closeConsoleBrowser, launchConsoleBrowser, waitForPage as waitForConsole } from '#test/support/console-browser';
import { ApiClient, type RunOfShowView } from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { decodeMono, findPresence, medianAmplitude, toneTrack, writeToneWav } from '#harness/tones';
import { recordingStartMs } from '#test/support/recording';

const HOST = 'produced-show-host';
const TRACKS = {
  // Long enough that a page on a starved machine, polling every few seconds, still sees it on air.
  'tone-a': { frequency: 440, seconds: 20 },
  'tone-b': { frequency: 660, seconds: 10 },
  'cue-tone': { frequency: 1500, seconds: 30 },
} as const;
type Name = keyof typeof TRACKS;
const VOICE_HZ = 300;
const CUE_FROM_SECONDS = 5;
/** How long the host listens to the cue. */
const CUE_LISTEN_SECONDS = 3;
const PRESENT = 0.01;
const SCREENSHOT = screenshotPath('console-run-of-show.png');
const UPDATING_SCREENSHOTS = process.env.SHELCASTER_UPDATE_SCREENSHOTS === '1';

let cloud: RunningLocalCloud;
let browser: Browser;
let page: Page;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'produced-show-console-'));
  buildConsole();
  await Promise.all([
    ...Object.entries(TRACKS).map(([name, t]) => writeToneWav(join(work, `${name}.wav`), [{ frequency: t.frequency, seconds: t.seconds }])),
    writeToneWav(join(work, 'voice.wav'), [{ frequency: VOICE_HZ, seconds: 60 }]),
  ]);
  cloud = await startLocalCloud();
  browser = await launchConsoleBrowser({
    profileDir: join(work, 'profile'),
    microphoneFile: join(work, 'voice.wav'),
    extraArgs: ['--autoplay-policy=no-user-gesture-required'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 1600 });
}, 180_000);

afterAll(async () => {
  await closeConsoleBrowser(browser);
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
  if (!UPDATING_SCREENSHOTS) rmSync(dirname(SCREENSHOT), { recursive: true, force: true });
});

/** Fails with what the page shows when the condition does not hold in time. */
const waitForPage = (condition: string, timeout: number, what: string) => waitForConsole(page, condition, timeout, what);

/** The running order's track ids as the page shows them. */
const shownOrder = () => page.$$eval('#running-order li[data-item-id]', (items) => items.map((li) => (li as HTMLElement).dataset.trackId ?? ''));
const shownVersion = () => page.$eval('#running-order', (list) => Number((list as HTMLElement).dataset.version));
const waitForVersion = (version: number, what: string) =>
  waitForPage(`Number(document.querySelector('#running-order').dataset.version) === ${version}`, 60_000, what);
const item = async (trackId: string) => (await page.$(`#running-order li[data-track-id="${trackId}"]`)) as ElementHandle<Element>;

describe('Host console: a produced show', () => {
  it('builds the running order by drag and keyboard, plays it with NEXT and a follow-on, cues a track off air, and shows the as-run log and chapters', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const api = new ApiClient({ baseUrl: cloud.apiUrl, token: await localToken(cloud.dataDir, HOST) });

    await page.goto(`${cloud.apiUrl}/`);
    await page.$eval('#local-user', (input, host) => ((input as HTMLInputElement).value = host), HOST);
    await page.click('#local-sign-in button[type=submit]');
    await waitForPage(`document.querySelector('#who').textContent === 'Signed in as ${HOST}'`, 60_000, 'the sign-in');
    const picker = (await page.$('#file-input')) as unknown as { uploadFile(...paths: string[]): Promise<void> };
    await picker.uploadFile(...Object.keys(TRACKS).map((name) => join(work, `${name}.wav`)));
    await waitForPage(`document.querySelectorAll('#uploads li[data-uploaded]').length === 3`, 60_000, 'the uploads');
    const { tracks } = await api.call('listTracks', {});
    const trackId = (name: Name) => tracks.find((t) => t.title === name)!.trackId;

    await page.$eval('#show-name', (input) => ((input as HTMLInputElement).value = 'Produced show'));
    await page.click('#start-button');
    await waitForPage(`document.querySelector('#show-status').dataset.status === 'STARTING'`, 60_000, 'STARTING');
    const sessionId = await page.evaluate(() => sessionStorage.getItem('shelcaster.session'));
    if (!sessionId) throw new Error('the console keeps no session id');
    const runOfShow = async (): Promise<RunOfShowView> => await api.call('getRunOfShow', { params: { sessionId } });

    // Added from the track list, in order (the running order can be prepared while the show starts).
    for (const [i, name] of (['tone-a', 'tone-b', 'cue-tone'] as const).entries()) {
      await page.click(`#tracks button[aria-label="Add ${name} to the running order"]`);
      await waitForVersion(i + 1, `the ${name} item`);
    }
    expect(await shownOrder()).toEqual([trackId('tone-a'), trackId('tone-b'), trackId('cue-tone')]);

    // Dragged: tone-b onto tone-a takes its place.
    await (await item(trackId('tone-a'))).drop(await item(trackId('tone-b')));
    await waitForVersion(4, 'the drag to be saved');
    expect(await shownOrder()).toEqual([trackId('tone-b'), trackId('tone-a'), trackId('cue-tone')]);
    expect((await runOfShow()).items.map((i) => i.trackId)).toEqual(await shownOrder());

    // With the keyboard: Tab to tone-b's ↓ and press Enter; the focus stays on it after the list is drawn again.
    await page.focus('#running-order button[aria-label="Move tone-b down"]');
    await page.keyboard.press('Enter');
    await waitForVersion(5, 'the keyboard move to be saved');
    expect(await shownOrder()).toEqual([trackId('tone-a'), trackId('tone-b'), trackId('cue-tone')]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move tone-b down');

    // tone-b follows on when tone-a ends.
    await page.click(`#running-order li[data-track-id="${trackId('tone-b')}"] input[data-action="auto-advance"]`);
    await waitForVersion(6, 'the follow-on switch to be saved');
    const prepared = await runOfShow();
    expect(prepared.items.map((i) => [i.trackId, i.autoAdvance])).toEqual([
      [trackId('tone-a'), false],
      [trackId('tone-b'), true],
      [trackId('cue-tone'), false],
    ]);
    expect(await shownVersion()).toBe(prepared.version);
    expect(await page.$eval('#running-order li.next', (li) => (li as HTMLElement).dataset.trackId)).toBe(trackId('tone-a'));

    // Another tab edits first: the page's edit on the version it shows is refused, changes nothing, and the
    // page reads the list again and says so. The other tab's edit is made while the page's edit is on its way
    // (held at the page's request): made before the click, the page's own refresh (with each status poll)
    // could read it first on a busy machine, and the page's move would then rightly be taken.
    let elsewhere: RunOfShowView | undefined;
    const editPath = `/sessions/${sessionId}/run-of-show`;
    const editFirstElsewhere = async (request: HTTPRequest) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith(editPath) && !elsewhere) {
        elsewhere = await api.call('editRunOfShow', {
          params: { sessionId },
          body: { op: 'UPDATE', version: prepared.version, itemId: prepared.items[2]!.itemId, changes: { note: 'from another tab' } },
        });
      }
      await request.continue();
    };
    await page.setRequestInterception(true);
    page.on('request', editFirstElsewhere);
    try {
      await page.click('#running-order button[aria-label="Move tone-a down"]');
      await waitForPage(`document.querySelector('#error').textContent.includes('changed elsewhere')`, 60_000, 'the conflict to be told');
    } finally {
      page.off('request', editFirstElsewhere);
      await page.setRequestInterception(false);
    }
    if (!elsewhere) throw new Error("the page's edit was not seen");
    await waitForVersion(elsewhere.version, 'the list to be read again');
    expect(await runOfShow()).toEqual(elsewhere);
    expect(await shownOrder()).toEqual([trackId('tone-a'), trackId('tone-b'), trackId('cue-tone')]);
    expect(await page.$eval(`#running-order li[data-track-id="${trackId('cue-tone')}"]`, (li) => li.textContent)).toContain('“from another tab”');

    await waitForPage(`document.querySelector('#show-status').dataset.status === 'LIVE'`, 90_000, 'the show to go LIVE');
    // The host is on the stage, publishing the microphone (a 300 Hz "voice"), while cueing.
    // The fake microphone plays a file, as a host with headphones: the voice goes unprocessed.
    await page.click('#headphones');
    await page.click('#join-button');
    await waitForPage(`document.querySelector('#stage-status').textContent.includes('on the stage')`, 60_000, 'the host to join the stage');
    await page.click('#next-button');
    await waitForPage(`document.querySelector('#commands li')?.dataset.status === 'APPLIED'`, 60_000, 'NEXT to be applied');
    expect(await page.$eval('#commands li', (li) => li.textContent)).toBe('Next in the running order: APPLIED');
    await waitForPage(`document.querySelector('#running-order li.on-air')?.dataset.trackId === '${trackId('tone-a')}'`, 60_000, 'tone-a on air');

    // The cue, from the running order, while the show is live: the host hears the cue tone; the show does not.
    await page.$eval('#cue-from-input', (input, from) => ((input as HTMLInputElement).value = String(from)), CUE_FROM_SECONDS);
    await page.click('#running-order button[aria-label="Cue cue-tone"]');
    await waitForPage(`document.querySelector('#cue-status').dataset.state === 'PLAYING'`, 60_000, 'the cue to play');
    expect(await page.$eval('#cue-audio', (audio) => Number((audio as HTMLAudioElement).dataset.cueFromSeconds))).toBe(CUE_FROM_SECONDS);
    await waitForPage(`document.querySelector('#cue-audio').currentTime >= ${CUE_FROM_SECONDS + CUE_LISTEN_SECONDS}`, 60_000, 'the cue to play on');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.click('#cue-stop-button');
    await waitForPage(`document.querySelector('#cue-status').dataset.state === 'STOPPED'`, 60_000, 'the cue to stop');
    const cue = await page.$eval('#cue-audio', (audio) => ({
      startedAt: Number((audio as HTMLAudioElement).dataset.cueStartedAt),
      stoppedAt: Number((audio as HTMLAudioElement).dataset.cueStoppedAt),
      played: (audio as HTMLAudioElement).played.length > 0 ? (audio as HTMLAudioElement).played.end(0) - (audio as HTMLAudioElement).played.start(0) : 0,
    }));
    expect(cue.played).toBeGreaterThanOrEqual(CUE_LISTEN_SECONDS);
    expect(cue.stoppedAt - cue.startedAt).toBeGreaterThanOrEqual(CUE_LISTEN_SECONDS * 1000);

    // tone-b follows on by itself.
    await waitForPage(`document.querySelector('#running-order li.on-air')?.dataset.trackId === '${trackId('tone-b')}'`, 60_000, 'tone-b to follow on');
    expect(await page.$eval('#running-order-status', (s) => s.textContent)).toBe('NEXT plays “cue-tone”');

    await page.click('#end-button');
    await waitForPage(`document.querySelector('#show-status').dataset.status === 'ENDED'`, 60_000, 'the show to end');
    await waitForPage(`document.querySelector('#after-show-panel').dataset.ready === 'true'`, 60_000, 'the as-run log and chapters');
    const asRunEvents = await page.$$eval('#as-run tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(asRunEvents.filter((cells) => cells[2] === 'PLAY').map((cells) => cells[4])).toEqual(['tone-a', 'tone-b']);
    const chapters = await page.$$eval('#chapters li', (items) => items.map((li) => li.textContent ?? ''));
    expect(chapters).toHaveLength(2);
    expect(chapters[0]).toMatch(/^\d+:\d\d\.\d tone-a$/);
    expect(chapters[1]).toMatch(/^\d+:\d\d\.\d tone-b$/);

    // The recording: the program's tones while the host cued, and never the cue's.
    await waitForPage(`document.querySelector('#recording-status').dataset.ready === 'true'`, 90_000, 'the recording');
    const recordingUrl = await page.$eval('#recording-download', (link) => (link as HTMLAnchorElement).href);
    const episodeFile = join(work, 'episode.m4a');
    writeFileSync(episodeFile, Buffer.from(await (await fetch(recordingUrl)).arrayBuffer()));
    const samples = await decodeMono(episodeFile);
    const startMs = await recordingStartMs(cloud.awsEndpoint, sessionId);
    const from = (cue.startedAt - startMs) / 1000;
    const to = (cue.stoppedAt - startMs) / 1000;
    expect(from).toBeGreaterThan(0);
    expect(to).toBeLessThan(samples.length / 48_000);
    const cueTone = toneTrack(samples, TRACKS['cue-tone'].frequency);
    const program = [toneTrack(samples, TRACKS['tone-a'].frequency), toneTrack(samples, TRACKS['tone-b'].frequency)];
    console.log(`cue ${from.toFixed(2)}–${to.toFixed(2)} s in the recording: cue tone ${medianAmplitude(cueTone, from, to).toFixed(4)}, program ${program.map((p) => medianAmplitude(p, from, to).toFixed(4)).join(' / ')}`);
    const voice = toneTrack(samples, VOICE_HZ);
    console.log(`host's voice during the cue: ${medianAmplitude(voice, from, to).toFixed(4)}`);
    expect(Math.max(...program.map((p) => medianAmplitude(p, from, to)))).toBeGreaterThan(PRESENT);
    expect(medianAmplitude(voice, from, to)).toBeGreaterThan(PRESENT);
    expect(medianAmplitude(cueTone, from, to)).toBeLessThan(PRESENT / 2);
    expect(findPresence(cueTone, PRESENT)).toEqual([]);
    expect(errors).toEqual([]);
  }, 420_000);

  it("edits an item's fades and note in the running order, on the version the form was opened on: a change made elsewhere meanwhile wins, and the host is told", async () => {
    const host = 'running-order-editor';
    const editor = await browser.newPage();
    const errors: string[] = [];
    editor.on('pageerror', (error) => errors.push(String(error)));
    const waitFor = (condition: string, what: string) => waitForConsole(editor, condition, 60_000, what);
    const api = new ApiClient({ baseUrl: cloud.apiUrl, token: await localToken(cloud.dataDir, host) });
    try {
      await editor.goto(`${cloud.apiUrl}/`);
      await editor.$eval('#local-user', (input, name) => ((input as HTMLInputElement).value = name), host);
      await editor.click('#local-sign-in button[type=submit]');
      await waitFor(`document.querySelector('#who').textContent === 'Signed in as ${host}'`, 'the sign-in');
      const picker = (await editor.$('#file-input')) as unknown as { uploadFile(...paths: string[]): Promise<void> };
      await picker.uploadFile(join(work, 'tone-a.wav'), join(work, 'tone-b.wav'));
      await waitFor(`document.querySelectorAll('#uploads li[data-uploaded]').length === 2`, 'the uploads');
      await editor.$eval('#show-name', (input) => ((input as HTMLInputElement).value = 'Edited running order'));
      await editor.click('#start-button');
      await waitFor(`['STARTING', 'LIVE'].includes(document.querySelector('#show-status').dataset.status)`, 'the show to start');
      const sessionId = await editor.evaluate(() => sessionStorage.getItem('shelcaster.session'));
      if (!sessionId) throw new Error('the console keeps no session id');
      const runOfShow = async (): Promise<RunOfShowView> => await api.call('getRunOfShow', { params: { sessionId } });
      const version = (v: number, what: string) => waitFor(`Number(document.querySelector('#running-order').dataset.version) === ${v}`, what);
      const row = (title: string) => `#running-order li[data-item-id] form.item-edit[aria-label="Edit ${title}"]`;
      for (const [i, name] of ['tone-a', 'tone-b'].entries()) {
        // tone-b is added with the desk's fade-out set (1 s): the item takes it.
        if (name === 'tone-b') await editor.$eval('#fade-out-input', (input) => ((input as HTMLInputElement).value = '1'));
        await editor.click(`#tracks button[aria-label="Add ${name} to the running order"]`);
        await version(i + 1, `the ${name} item`);
      }

      // Edit tone-a: fade in 2.5 s, fade out 2 s, crossfade 1.5 s, a note; one UPDATE, and the form closes.
      await editor.click('#running-order button[aria-label="Edit tone-a"]');
      await editor.waitForSelector(row('tone-a'));
      const type = async (title: string, action: string, value: string) => {
        await editor.$eval(`${row(title)} [data-action="${action}"]`, (input) => ((input as HTMLInputElement).value = ''));
        await editor.type(`${row(title)} [data-action="${action}"]`, value);
      };
      await type('tone-a', 'edit-fade-in', '2.5');
      await type('tone-a', 'edit-fade-out', '2');
      await type('tone-a', 'edit-crossfade', '1.5');
      await type('tone-a', 'edit-note', 'under the intro');
      await editor.click(`${row('tone-a')} button[data-action="save"]`);
      await version(3, 'the edit to be saved');
      expect(await editor.$(row('tone-a'))).toBeNull();
      const edited = await runOfShow();
      expect(edited.version).toBe(3);
      expect(edited.items.map((i) => [i.title, i.fadeInSeconds, i.fadeOutSeconds, i.crossfadeSeconds, i.note])).toEqual([
        ['tone-a', 2.5, 2, 1.5, 'under the intro'],
        ['tone-b', 0, 1, 0, undefined],
      ]);
      expect(await editor.$eval('#running-order li[data-item-id]', (li) => li.textContent)).toContain('fade in 2.5 s, fade out 2 s, crossfade 1.5 s · “under the intro”');

      // The form for tone-b is opened on version 3; another tab then changes tone-a. The form stays open (with
      // what the host typed) while the page shows the other tab's change, and its save is refused: 409, nothing
      // of it written, the host told, the form closed on the list as it now is.
      await editor.click('#running-order button[aria-label="Edit tone-b"]');
      await editor.waitForSelector(row('tone-b'));
      await type('tone-b', 'edit-crossfade', '3');
      const elsewhere = await api.call('editRunOfShow', {
        params: { sessionId },
        body: { op: 'UPDATE', version: 3, itemId: edited.items[0]!.itemId, changes: { note: 'changed in another tab' } },
      });
      await version(elsewhere.version, "the other tab's change to be shown");
      expect(await editor.$eval(`${row('tone-b')} [data-action="edit-crossfade"]`, (input) => (input as HTMLInputElement).value)).toBe('3');
      await editor.click(`${row('tone-b')} button[data-action="save"]`);
      await waitFor(`document.querySelector('#error').textContent.includes('changed elsewhere')`, 'the conflict to be told');
      expect(await editor.$(row('tone-b'))).toBeNull();
      expect(await runOfShow()).toEqual(elsewhere);
      expect(elsewhere.items[1]).toMatchObject({ title: 'tone-b', crossfadeSeconds: 0 });

      // Made again on the list as it now is, it is saved.
      await editor.click('#running-order button[aria-label="Edit tone-b"]');
      await editor.waitForSelector(row('tone-b'));
      await type('tone-b', 'edit-crossfade', '3');
      await editor.click(`${row('tone-b')} button[data-action="save"]`);
      await version(elsewhere.version + 1, 'the edit made again to be saved');
      expect((await runOfShow()).items.map((i) => [i.title, i.crossfadeSeconds, i.note])).toEqual([
        ['tone-a', 1.5, 'changed in another tab'],
        ['tone-b', 3, undefined],
      ]);

      await editor.click('#end-button');
      await waitFor(`['ENDED', 'FAILED'].includes(document.querySelector('#show-status').dataset.status)`, 'the show to end');
      expect(errors).toEqual([]);
    } finally {
      await editor.close();
    }
  }, 300_000);
});
