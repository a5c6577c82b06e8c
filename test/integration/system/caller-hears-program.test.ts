/**
 * A caller joins the show from the link the host shares, as a browser on another origin than the stage (the
 * console's caller page from the API's origin; the stage is on the AWS endpoint's): the IVS web SDK (the
 * unmodified bundle the console ships) subscribes, and a tone played through the API stands out of what the
 * caller hears while it plays and is gone after STOP — measured in the page with WebAudio, against the
 * commands' recorded `appliedAt`. The caller is on speakers, so the page has the browser cancel the show's echo
 * from the microphone (with noise suppression and automatic gain). When the host ends the show, the stage is deleted and the caller is
 * disconnected (STAGE_DELETED: the page says the show has ended). The page subscribes to audio only, and is
 * sent no video: the SDK pauses it through the stage's playback controls, as on IVS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerLink } from '#contract/console';
import { localToken, REPO_ROOT, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { SessionApi, until } from '#harness/session-api';
import { writeToneWav } from '#harness/tones';
import { joinAsCaller, whilePlaying, type CallerPage } from '#harness/caller-page';

const TONE_HZ = 880;
/** The track is written at 1/8 (0.125); heard clearly above this, and silence stays below the other. */
const HEARD = 0.03;
const SILENT = 0.01;
/** Margin on the path delay the PLAY showed: how much more the STOP may take to fall silent at the caller. */
const SETTLE_MS = 400;

let cloud: RunningLocalCloud;
let api: SessionApi;
let work: string;
let track: string;
let caller: CallerPage | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'caller-hears-'));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-console.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`The console did not build:\n${built.stdout}\n${built.stderr}`);
  const file = join(work, 'tone.wav');
  [cloud] = await Promise.all([startLocalCloud(), writeToneWav(file, [{ frequency: TONE_HZ, seconds: 20 }])]);
  api = new SessionApi(cloud, await localToken(cloud.dataDir, 'host-with-caller'));
  track = await api.uploadTrack(file, 'audio/wav');
}, 120_000);

afterAll(async () => {
  await caller?.close();
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('A caller hears the show', () => {
  it('hears a tone played through the API while it plays and not after STOP, and is told when the show ends', async () => {
    const { sessionId } = await api.createSession('Show with a caller');
    await api.waitLive(sessionId);
    const minted = await api.request('POST', `/sessions/${sessionId}/tokens`, { role: 'CALLER', displayName: 'Caller Ann' });
    expect(minted.status).toBe(201);
    const link = callerLink(cloud.apiUrl, minted.body.token as string);
    expect(new URL(link).origin).not.toBe(new URL(cloud.awsEndpoint).origin);

    // A caller on speakers (no headphones): the page asks the browser to cancel the show's echo from the
    // microphone, and to suppress noise and even out the level.
    caller = await joinAsCaller(link, { headphones: false });
    expect(await caller.microphoneProcessing()).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    await caller.listen(TONE_HZ);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const videoAtStart = await caller.receivedVideoPackets();
    const play = await api.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'tone', programUrl: track });
    await until(play.appliedAtMs + 3000);
    const stop = await api.applied(sessionId, { type: 'STOP_MEDIA' });
    await until(stop.appliedAtMs + 3000);
    const readings = await caller.readings();
    // The page subscribes audio only; the SDK pauses the video the stage would send it (IVS's playback controls),
    // so the program's tile (a frame a second at least) does not reach it: no video packets in these 6 s.
    expect(await caller.receivedVideoPackets(), `video packets received (${videoAtStart} at the start)`).toBe(videoAtStart);

    // The caller hears the program one path delay after the controller applies a command (the stage's
    // forwarding, the caller's jitter buffer and decoder: its figure is the benchmark's). That delay is taken
    // from the PLAY's onset as this caller heard it, and the STOP is judged by it (a loaded machine stretches it
    // for both alike): silence from one path delay plus SETTLE_MS after the STOP was applied.
    const onset = readings.find((r) => r.atMs >= play.appliedAtMs && r.amplitude >= HEARD);
    expect(onset, 'the tone is heard after PLAY').toBeDefined();
    const pathDelayMs = onset!.atMs - play.appliedAtMs;
    const before = readings.filter((r) => r.atMs < play.postedAtMs);
    const playing = readings.filter((r) => r.atMs >= onset!.atMs + SETTLE_MS && r.atMs <= stop.postedAtMs);
    expect(before.length, 'readings before PLAY').toBeGreaterThan(20);
    expect(playing.length, 'readings while it plays').toBeGreaterThan(50);
    expect(Math.max(...before.map((r) => r.amplitude)), 'before PLAY').toBeLessThan(SILENT);
    const heard = whilePlaying(playing, HEARD);
    expect(heard.median, 'while it plays (median)').toBeGreaterThan(HEARD);
    expect(heard.dropoutShare, 'dropouts while it plays').toBeLessThan(0.05);
    // After STOP the tone ends once and stays gone. The path delay can grow between PLAY and STOP on a busy
    // machine (the caller's jitter buffer), so the end is found in the readings rather than assumed: the first
    // reading after the STOP was applied that begins 300 ms of quiet (a dropout is shorter), and from it on, silence to the end of the recording.
    const quietFrom = (at: number) => readings.filter((r) => r.atMs >= at && r.atMs <= at + 300).every((r) => r.amplitude < SILENT);
    const ended = readings.find((r) => r.atMs >= stop.appliedAtMs && quietFrom(r.atMs));
    expect(ended, `the tone ends after STOP (path delay at PLAY ${pathDelayMs} ms)`).toBeDefined();
    const afterEnd = readings.filter((r) => r.atMs >= ended!.atMs + SETTLE_MS);
    expect(afterEnd.length, 'readings after the tone ended').toBeGreaterThan(20);
    expect(Math.max(...afterEnd.map((r) => r.amplitude)), `after STOP, once ended (ended ${ended!.atMs - stop.appliedAtMs} ms after it was applied)`).toBeLessThan(SILENT);

    // The host ends the show: the stage is deleted and the caller disconnected.
    expect((await api.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    await expect.poll(() => caller!.status(), { timeout: 60_000, interval: 250 }).toBe('The show has ended.');
  }, 240_000);
});
