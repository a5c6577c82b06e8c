/**
 * Issue 18's ducking under voices, with real processes (the local cloud, the controller with real Chromium
 * subscribing to the local stage through the IVS web SDK, a caller page publishing, the local composition
 * recording): a caller talks (a voice-like tone that talks and pauses, from Chromium's fake microphone) over a
 * bed. Judged on the recording's timeline against the times the system recorded (the as-run log's DUCK and
 * UNDUCK entries, the commands' `appliedAt`):
 *
 * - each DUCK falls in a turn of the caller's voice in the recording (from its onset on), each UNDUCK a hold
 *   after that turn's end and before the next turn;
 * - while ducked the bed is lower by the show's depth (within 1.5 dB), and back to its level after the release;
 *   SET_DUCKING `depthDb` live makes the next ducks (and one under way) deeper;
 * - SET_DUCKING `enabled: false` switched live stops it: no duck after its appliedAt, the bed at its level
 *   while the caller goes on talking.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerLink } from '#contract/console';
import { DUCK_ATTACK_SECONDS, DUCK_HOLD_SECONDS, DUCK_RELEASE_SECONDS, type AsRunEntry } from '#contract/index';
import { joinAsCaller, type CallerPage } from '#harness/caller-page';
import { localToken, REPO_ROOT, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { SessionApi, until } from '#harness/session-api';
import { voiceLikeWav } from '#harness/tone-wav';
import { decodeMono, findPresence, medianAmplitude, toneTrack, writeToneWav } from '#harness/tones';
import { recordingStartMs } from '#test/support/recording';
import { describeStretches } from '#test/support/tone-stretch';

const BED_HZ = 220;
/** Longer than the show runs even on a loaded machine (its turns and waits take 60–200 s): the bed must not end under a duck. */
const BED_SECONDS = 300;
const VOICE_HZ = 700;
const DEPTH_DB = 12;
/** The depth switched to live, after the first turns. */
const DEEPER_DB = 20;
/** How far a measured duck may be from the depth asked for (dB). */
const DEPTH_TOLERANCE_DB = 1.5;
/** How much earlier than the voice in the recording a duck may be placed (hops of the tone analysis, clock mapping). */
const TOLERANCE_SECONDS = 0.35;
/** The caller talks for SPEAK_SECONDS, then pauses for SILENT_SECONDS, again and again. */
const SPEAK_SECONDS = 2.5;
const SILENT_SECONDS = 3.5;
const PRESENT = 0.01;

let cloud: RunningLocalCloud;
let api: SessionApi;
let work: string;
let bedUrl: string;
let caller: CallerPage | undefined;
const notes: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ducking-'));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-console.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`The console did not build:\n${built.stdout}\n${built.stderr}`);
  const bed = join(work, 'bed.wav');
  [cloud] = await Promise.all([startLocalCloud(), writeToneWav(bed, [{ frequency: BED_HZ, seconds: BED_SECONDS }])]);
  api = new SessionApi(cloud, await localToken(cloud.dataDir, 'host-ducking'));
  bedUrl = await api.uploadTrack(bed, 'audio/wav');
}, 120_000);

afterAll(async () => {
  if (notes.length > 0) console.log(`Observed:\n  ${notes.join('\n  ')}`);
  await caller?.close();
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const dB = (ratio: number) => 20 * Math.log10(ratio);

describe('Ducking under voices, heard in the recording', () => {
  it('lowers the bed by the depth while a caller talks, brings it back after the release, goes deeper when told, and stops when switched off live', async () => {
    const { sessionId } = await api.createSession('Ducking', { ducking: { depthDb: DEPTH_DB } });
    const live = await api.waitLive(sessionId);
    expect(live.ducking).toEqual({ enabled: true, depthDb: DEPTH_DB, decks: ['bed'] });

    // Bad input is refused with its path and changes nothing.
    const tooDeep = await api.request('POST', `/sessions/${sessionId}/commands`, { type: 'SET_DUCKING', depthDb: 60 });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'body.depthDb' }] });
    const clipDeck = await api.request('POST', `/sessions/${sessionId}/commands`, { type: 'SET_DUCKING', decks: ['clip'] });
    expect(clipDeck.status).toBe(400);

    const bed = await api.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'bed', programUrl: bedUrl, deck: 'bed' });
    await until(bed.appliedAtMs + 1500);
    const minted = await api.request('POST', `/sessions/${sessionId}/tokens`, { role: 'CALLER', displayName: 'Caller Bo' });
    expect(minted.status).toBe(201);
    caller = await joinAsCaller(callerLink(cloud.apiUrl, minted.body.token as string), {
      voiceWav: voiceLikeWav({ frequency: VOICE_HZ, speakSeconds: SPEAK_SECONDS, silentSeconds: SILENT_SECONDS, amplitude: 0.15 }),
    });
    const joinedAtMs = Date.now();
    // As a caller with headphones: the voice goes as it is (nothing of the show reaches a file played as the microphone).
    expect(await caller.microphoneProcessing()).toEqual({ echoCancellation: false, noiseSuppression: false, autoGainControl: false });
    // Three turns of talk at the show's depth, two at a deeper one set live, then switched off for two more.
    const turn = (SPEAK_SECONDS + SILENT_SECONDS) * 1000;
    await until(joinedAtMs + 3 * turn);
    const deeper = await api.applied(sessionId, { type: 'SET_DUCKING', depthDb: DEEPER_DB });
    // The settings in force are reported with now-playing, just after the command's result.
    await expect.poll(async () => (await api.session(sessionId)).ducking, { timeout: 5000, interval: 100 }).toEqual({ enabled: true, depthDb: DEEPER_DB, decks: ['bed'] });
    await until(deeper.appliedAtMs + 2 * turn);
    const off = await api.applied(sessionId, { type: 'SET_DUCKING', enabled: false });
    await expect.poll(async () => (await api.session(sessionId)).ducking, { timeout: 5000, interval: 100 }).toEqual({ enabled: false, depthDb: DEEPER_DB, decks: ['bed'] });
    await until(off.appliedAtMs + 2 * turn);
    const stop = await api.applied(sessionId, { type: 'STOP_MEDIA', deck: 'bed' });
    await caller.close();
    caller = undefined;
    expect((await api.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    expect((await api.waitOver(sessionId)).status).toBe('ENDED');

    const asRun = await api.send('getAsRun', { params: { sessionId } });
    if (!asRun.ok) throw new Error(`GET as-run answered ${asRun.status}`);
    const ducks = asRun.body.entries.filter((e) => e.event === 'DUCK' || e.event === 'UNDUCK');
    notes.push(`ducks: ${ducks.map((e) => `${e.event} ${e.showSeconds.toFixed(2)} s (${e.cause})`).join(', ')}`);
    const startMs = await recordingStartMs(cloud.awsEndpoint, sessionId);
    const t = (ms: number) => (ms - startMs) / 1000;
    const offAt = t(off.appliedAtMs);
    expect(t(stop.appliedAtMs) - t(bed.appliedAtMs), 'the bed was stopped before its end').toBeLessThan(BED_SECONDS);

    // Every entry names the bed and its track; DUCK and UNDUCK alternate, a DUCK at −depth: the show's before the
    // live change, the deeper one after it (a duck under way when it came is ended and begun again at it).
    const changedFrom = t(deeper.postedAtMs);
    const changedAt = t(deeper.appliedAtMs);
    for (const entry of ducks) {
      expect(entry).toMatchObject({ deck: 'bed', programId: 'bed' });
      if (entry.event === 'UNDUCK') expect(entry.gainDb).toBe(0);
      else if (entry.cause === 'SET_DUCKING' || entry.showSeconds > changedAt) expect(entry.gainDb).toBe(-DEEPER_DB);
      else if (entry.showSeconds < changedFrom) expect(entry.gainDb).toBe(-DEPTH_DB);
    }
    ducks.forEach((entry, i) => expect(entry.event).toBe(i % 2 === 0 ? 'DUCK' : 'UNDUCK'));
    const pairs: { duck: AsRunEntry; unduck: AsRunEntry }[] = [];
    for (let i = 0; i + 1 < ducks.length; i += 2) pairs.push({ duck: ducks[i]!, unduck: ducks[i + 1]! });
    // No duck after the switch off (an UNDUCK then, if the caller was talking, is the switch's).
    expect(ducks.filter((e) => e.event === 'DUCK' && e.showSeconds > offAt)).toEqual([]);
    // The live changes acted between each command's posting and its appliedAt: the depth change (while ducked:
    // an UNDUCK and a DUCK at the new depth), the switch off (while ducked: an UNDUCK).
    for (const e of ducks.filter((d) => d.cause === 'SET_DUCKING')) {
      const byDepth = e.showSeconds >= changedFrom && e.showSeconds <= changedAt;
      const byOff = e.showSeconds >= t(off.postedAtMs) && e.showSeconds <= offAt;
      expect(byDepth || byOff, `${e.event} at ${e.showSeconds.toFixed(2)} s (SET_DUCKING)`).toBe(true);
      if (byOff) expect(e.event).toBe('UNDUCK');
    }
    const voiced = pairs.filter((p) => p.unduck.cause === 'VOICE');
    expect(voiced.length, 'ducks under the caller’s turns').toBeGreaterThanOrEqual(4);

    // The recording: the caller's voice and the bed.
    const path = join(work, 'episode.m4a');
    await api.downloadRecording(sessionId, path);
    const samples = await decodeMono(path);
    const bedTrack = toneTrack(samples, BED_HZ);
    const voice = findPresence(toneTrack(samples, VOICE_HZ), PRESENT, { bridgeSeconds: 0.2, minSeconds: 1 });
    notes.push(`voice heard: ${describeStretches(voice)}`);

    // The bed's level when not ducked: before the first duck, and after each release until the next duck.
    const first = pairs[0]!.duck.showSeconds;
    const full = medianAmplitude(bedTrack, t(bed.appliedAtMs) + 0.5, first - 0.1);
    expect(full).toBeGreaterThan(PRESENT);
    // Each duck begins within a turn of the caller's (the voice reaches the controller a path delay after it
    // reaches the recording: a figure, noted, not asserted) and ends a hold after that turn, before the next.
    for (const duck of ducks.filter((e) => e.event === 'DUCK')) {
      const turn = voice.find((v) => duck.showSeconds >= v.startSeconds - TOLERANCE_SECONDS && duck.showSeconds < v.endSeconds);
      expect(turn, `DUCK at ${duck.showSeconds.toFixed(2)} s falls in a turn of the caller's`).toBeDefined();
      notes.push(`DUCK ${(duck.showSeconds - turn!.startSeconds).toFixed(2)} s after the turn began in the recording`);
    }
    const measuredDepths = new Set<number>();
    for (const [i, { duck, unduck }] of voiced.entries()) {
      const report = `duck ${i}: ${duck.showSeconds.toFixed(2)}–${unduck.showSeconds.toFixed(2)} s`;
      const at = voice.findIndex((v) => duck.showSeconds >= v.startSeconds - TOLERANCE_SECONDS && duck.showSeconds < v.endSeconds);
      const turn = voice[at]!;
      const nextTurn = voice[at + 1]?.startSeconds ?? Infinity;
      expect(unduck.showSeconds, `${report} ends a hold after its turn (${turn.endSeconds.toFixed(2)} s)`).toBeGreaterThanOrEqual(turn.endSeconds + DUCK_HOLD_SECONDS - TOLERANCE_SECONDS);
      expect(unduck.showSeconds, `${report} ends before the next turn`).toBeLessThan(nextTurn);
      notes.push(`UNDUCK ${(unduck.showSeconds - turn.endSeconds).toFixed(2)} s after the turn ended in the recording (hold ${DUCK_HOLD_SECONDS} s)`);

      // Lower by the depth while ducked (once the attack is over), back after the release.
      const depthDb = -duck.gainDb!;
      const from = duck.showSeconds + DUCK_ATTACK_SECONDS + TOLERANCE_SECONDS;
      if (unduck.showSeconds - from < 0.8) continue; // a duck begun again near the end of a turn: too short to measure
      measuredDepths.add(depthDb);
      const ducked = medianAmplitude(bedTrack, from, unduck.showSeconds);
      const next = ducks.find((e) => e.event === 'DUCK' && e.showSeconds > unduck.showSeconds)?.showSeconds ?? t(stop.appliedAtMs);
      const back = medianAmplitude(bedTrack, unduck.showSeconds + DUCK_RELEASE_SECONDS + TOLERANCE_SECONDS, Math.min(next, t(stop.appliedAtMs)) - 0.1);
      notes.push(`${report}: bed ${dB(ducked / full).toFixed(1)} dB while ducked (asked ${depthDb}), ${dB(back / full).toFixed(1)} dB after the release`);
      expect(Math.abs(dB(ducked / full) + depthDb), `${report}: the depth`).toBeLessThanOrEqual(DEPTH_TOLERANCE_DB);
      expect(Math.abs(dB(back / full)), `${report}: back after the release`).toBeLessThanOrEqual(1);
    }

    expect([...measuredDepths].sort((a, b) => a - b), 'both depths measured').toEqual([DEPTH_DB, DEEPER_DB]);

    // Switched off: the caller's turns after it (once a release has passed) leave the bed at its level.
    const later = voice.filter((v) => v.startSeconds > offAt + DUCK_RELEASE_SECONDS + TOLERANCE_SECONDS && v.endSeconds < t(stop.appliedAtMs));
    expect(later.length, 'turns of the caller after the switch off').toBeGreaterThanOrEqual(1);
    for (const v of later) {
      const level = medianAmplitude(bedTrack, v.startSeconds, v.endSeconds);
      notes.push(`after the switch off, under a turn at ${v.startSeconds.toFixed(2)} s: bed ${dB(level / full).toFixed(1)} dB`);
      expect(Math.abs(dB(level / full))).toBeLessThanOrEqual(1);
    }
  }, 300_000);
});
