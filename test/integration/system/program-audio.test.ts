/**
 * Issue 5's proof, with real processes: the local cloud (`npm start`), the controller with real Chromium
 * publishing into the local stage with the IVS web SDK, and the local composition recording to the local S3. Tones are
 * uploaded (POST /media and its presigned PUT), played through the API, and found again in the decoded episode
 * (GET /sessions/{id}/recording) where and as long as they were played, within 0.3 s. Times are compared on
 * the recording's own timeline: its time 0 is the playlist's program date-time, and a command's time is the
 * `appliedAt` its record got: the controller page's clock when its desk made the change.
 * A dropout of the whole recording inside a tone (everything silent for at most 0.5 s: the stream's packets late
 * on a loaded machine) is bridged, and its edges are left out of the click checks (test/support/tone-stretch.ts).
 * A controller that cannot start Chromium fails WaitForReady with its reason, and nothing is left running.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IVSRealTimeClient, ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import { CLUSTER_NAME, COMMAND_DLQ_NAME, COMMAND_QUEUE_PREFIX } from '#contract/index';
import { descendants, isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { finishedExecution } from '#harness/system-session';
import { localClientConfig, readSessionRecord } from '#harness/session-record';
import { recordingStartMs } from '#test/support/recording';
import { expectOneStretch, expectStretches, partsBetweenDropouts, type HeardStretch } from '#test/support/tone-stretch';
import { SessionApi, until, type CommandOutcome } from '#harness/session-api';
import { ANALYSIS_RATE, decodeMono, findPresence, largestStep, largestStepAt, medianAmplitude, toneTrack, writeToneWav } from '#harness/tones';

/** The issue's tolerance on where and how long a tone is heard. */
const TOLERANCE_SECONDS = 0.3;
/** A tone counts as present from this amplitude (the tones are written at 1/8 = 0.125; a quarter volume gives ~0.031). */
const PRESENT = 0.01;
const HOST = 'host-program-audio';

let cloud: RunningLocalCloud;
let api: SessionApi;
let work: string;
const tracks: Record<'a440' | 'b880' | 'sweep', string> = { a440: '', b880: '', sweep: '' };
const timings: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'program-audio-'));
  const files = { a440: join(work, 'a440.wav'), b880: join(work, 'b880.wav'), sweep: join(work, 'sweep.wav') };
  const [started] = await Promise.all([
    startLocalCloud(),
    writeToneWav(files.a440, [{ frequency: 440, seconds: 6 }]),
    writeToneWav(files.b880, [{ frequency: 880, seconds: 6 }]),
    writeToneWav(files.sweep, [
      { frequency: 440, seconds: 10 },
      { frequency: 660, seconds: 10 },
    ]),
  ]);
  cloud = started;
  api = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
  for (const name of Object.keys(tracks) as (keyof typeof tracks)[]) tracks[name] = await api.uploadTrack(files[name], 'audio/wav');
}, 120_000);

afterAll(async () => {
  if (timings.length > 0) console.log(`Observed timings:\n  ${timings.join('\n  ')}`);
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Seconds on the recording's timeline of a wall-clock time. */
const onTimeline = (recordingStartMs: number, atMs: number) => (atMs - recordingStartMs) / 1000;

/** Notes how long a command took from POST to APPLIED. */
function noteLatency(label: string, outcome: CommandOutcome): void {
  timings.push(`${label}: POST → APPLIED ${outcome.appliedAtMs - outcome.postedAtMs} ms`);
}

/** The session's episode (GET /sessions/{id}/recording), decoded to mono PCM. */
async function recordedSamples(sessionId: string): Promise<Float32Array> {
  const path = join(work, `${sessionId}.m4a`);
  await api.downloadRecording(sessionId, path);
  return await decodeMono(path);
}

/** Ends a session through the API and waits until it is ENDED. */
async function endSession(sessionId: string): Promise<void> {
  const ended = await api.request('DELETE', `/sessions/${sessionId}`);
  expect(ended.status).toBe(202);
  const final = await api.waitOver(sessionId);
  expect(final.status).toBe('ENDED');
}

/**
 * Asserts that a stretch holds no click: no sample-to-sample step larger (with a quarter's margin for the
 * codecs) than the largest step a clean sine of that frequency and amplitude makes, 2πfA/rate.
 */
function expectNoClick(samples: Float32Array, from: number, to: number, frequency: number, amplitude: number, what: string): void {
  const sineStep = (2 * Math.PI * frequency * amplitude) / ANALYSIS_RATE;
  const { step, atSeconds } = largestStepAt(samples, from, to);
  timings.push(`${what}: largest step ${step.toFixed(4)} at ${atSeconds.toFixed(3)} s, the sine's own ${sineStep.toFixed(4)}`);
  expect(step, `${what}: a click at ${atSeconds.toFixed(3)} s on the recording's timeline`).toBeLessThanOrEqual(sineStep * 1.25);
}

/** expectNoClick over a heard stretch and 0.1 s either side, leaving out the edges of the whole-stream dropouts in it. */
function expectNoClickIn(samples: Float32Array, heard: HeardStretch, frequency: number, amplitude: number, what: string): void {
  for (const part of partsBetweenDropouts(heard, 0.1)) expectNoClick(samples, part.startSeconds, part.endSeconds, frequency, amplitude, what);
}

describe('Program audio: tracks played through the API are heard in the recording', () => {
  it('records tone A for 3 s, then 2 s of silence, then tone B for 3 s, each where it was played', async () => {
    const { sessionId } = await api.createSession('Two tones');
    await api.waitLive(sessionId);

    const playA = await api.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'tone-a', programUrl: tracks.a440 });
    await until(playA.appliedAtMs + 3000);
    const stopA = await api.applied(sessionId, { type: 'STOP_MEDIA' });
    await until(stopA.appliedAtMs + 2000);
    const playB = await api.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'tone-b', programUrl: tracks.b880 });
    await until(playB.appliedAtMs + 3000);
    const stopB = await api.applied(sessionId, { type: 'STOP_MEDIA' });
    noteLatency('PLAY tone A', playA);
    noteLatency('STOP tone A', stopA);
    noteLatency('PLAY tone B', playB);
    noteLatency('STOP tone B', stopB);
    await endSession(sessionId);

    const samples = await recordedSamples(sessionId);
    const startMs = await recordingStartMs(cloud.awsEndpoint, sessionId);
    const at = (ms: number) => onTimeline(startMs, ms);
    const a = toneTrack(samples, 440);
    const b = toneTrack(samples, 880);
    const stretchCheck = { samples, notes: timings, toleranceSeconds: TOLERANCE_SECONDS };

    const aHeard = expectOneStretch(findPresence(a, PRESENT), { startSeconds: at(playA.appliedAtMs), endSeconds: at(stopA.appliedAtMs) }, 'tone A', stretchCheck);
    const bHeard = expectOneStretch(findPresence(b, PRESENT), { startSeconds: at(playB.appliedAtMs), endSeconds: at(stopB.appliedAtMs) }, 'tone B', stretchCheck);
    // Each lasted as long as the system says it played: from its PLAY's appliedAt to its STOP's (at least 3 s).
    const aPlayed = (stopA.appliedAtMs - playA.appliedAtMs) / 1000;
    const bPlayed = (stopB.appliedAtMs - playB.appliedAtMs) / 1000;
    expect(aPlayed).toBeGreaterThanOrEqual(3);
    expect(bPlayed).toBeGreaterThanOrEqual(3);
    expect(Math.abs(aHeard.endSeconds - aHeard.startSeconds - aPlayed)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    expect(Math.abs(bHeard.endSeconds - bHeard.startSeconds - bPlayed)).toBeLessThanOrEqual(TOLERANCE_SECONDS);
    // Each tone plays clean from its first to its last sample.
    const aLevel = medianAmplitude(a, aHeard.startSeconds, aHeard.endSeconds);
    const bLevel = medianAmplitude(b, bHeard.startSeconds, bHeard.endSeconds);
    expectNoClickIn(samples, aHeard, 440, aLevel, 'tone A');
    expectNoClickIn(samples, bHeard, 880, bLevel, 'tone B');
    // The gap between them is silent: neither tone, and nothing else either.
    const gapFrom = at(stopA.appliedAtMs) + TOLERANCE_SECONDS;
    const gapTo = at(playB.appliedAtMs) - TOLERANCE_SECONDS;
    expect(gapTo - gapFrom).toBeGreaterThan(1);
    expect(largestStep(samples, gapFrom, gapTo)).toBeLessThan(0.001);
  }, 120_000);

  it('pauses, resumes, lowers the volume by a ramp without a click, and seeks, as the recording shows', async () => {
    const { sessionId } = await api.createSession('Pause, resume, volume, seek');
    await api.waitLive(sessionId);

    // The track is 440 Hz for 10 s, then 660 Hz: until the seek only 440 Hz may be heard.
    const play = await api.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'sweep', programUrl: tracks.sweep });
    await until(play.appliedAtMs + 2000);
    const pause = await api.applied(sessionId, { type: 'PAUSE_MEDIA' });
    await until(pause.appliedAtMs + 2000);
    const resume = await api.applied(sessionId, { type: 'RESUME_MEDIA' });
    await until(resume.appliedAtMs + 2000);
    const volume = await api.applied(sessionId, { type: 'SET_VOLUME', volume: 0.25 });
    await until(volume.appliedAtMs + 2000);
    const seek = await api.applied(sessionId, { type: 'SEEK_MEDIA', seconds: 12 });
    await until(seek.appliedAtMs + 2000);
    const stop = await api.applied(sessionId, { type: 'STOP_MEDIA' });
    noteLatency('PAUSE', pause);
    noteLatency('RESUME', resume);
    noteLatency('SET_VOLUME', volume);
    noteLatency('SEEK', seek);
    await endSession(sessionId);

    const samples = await recordedSamples(sessionId);
    const startMs = await recordingStartMs(cloud.awsEndpoint, sessionId);
    const at = (ms: number) => onTimeline(startMs, ms);
    const low = toneTrack(samples, 440);
    const high = toneTrack(samples, 660);

    // 440 Hz from PLAY to PAUSE and from RESUME to SEEK (the quarter volume is still heard); nothing while paused.
    const stretchCheck = { samples, notes: timings, toleranceSeconds: TOLERANCE_SECONDS };
    // (The pause is a gap of the whole stream, 2 s long: too long to be taken for a dropout and bridged.)
    const [lowBefore, lowAfter] = expectStretches(
      findPresence(low, PRESENT),
      [{ startSeconds: at(play.appliedAtMs), endSeconds: at(pause.appliedAtMs) }, { startSeconds: at(resume.appliedAtMs), endSeconds: at(seek.appliedAtMs) }],
      '440 Hz before the pause and after the resume',
      stretchCheck,
    ) as [HeardStretch, HeardStretch];
    expect(largestStep(samples, at(pause.appliedAtMs) + TOLERANCE_SECONDS, at(resume.appliedAtMs) - TOLERANCE_SECONDS)).toBeLessThan(0.001);
    // The seek to 12 s lands in the 660 Hz half, which plays until STOP.
    const highHeard = expectOneStretch(findPresence(high, PRESENT), { startSeconds: at(seek.appliedAtMs), endSeconds: at(stop.appliedAtMs) }, '660 Hz after the seek', stretchCheck);

    // SET_VOLUME 0.25: a quarter of the level (-12 dB ± 3 dB), kept after the seek.
    const volumeAt = at(volume.appliedAtMs);
    const before = medianAmplitude(low, at(resume.appliedAtMs) + 0.3, volumeAt - 0.3);
    const after = medianAmplitude(low, volumeAt + 0.5, at(seek.appliedAtMs) - 0.3);
    const afterSeek = medianAmplitude(high, at(seek.appliedAtMs) + 0.5, at(stop.appliedAtMs) - 0.3);
    const dropDb = 20 * Math.log10(after / before);
    timings.push(`SET_VOLUME 0.25: 440 Hz ${before.toFixed(4)} → ${after.toFixed(4)} (${dropDb.toFixed(1)} dB); 660 Hz after the seek ${afterSeek.toFixed(4)}`);
    expect(dropDb).toBeGreaterThanOrEqual(-15);
    expect(dropDb).toBeLessThanOrEqual(-9);
    expect(Math.abs(20 * Math.log10(afterSeek / after))).toBeLessThanOrEqual(3);
    expectNoClickIn(samples, highHeard, 660, afterSeek, '660 Hz after the seek');

    // No click at the ramp, nor anywhere else while the track plays.
    expectNoClick(samples, volumeAt - TOLERANCE_SECONDS, volumeAt + 0.5, 440, before, 'SET_VOLUME ramp');
    expectNoClickIn(samples, lowBefore, 440, before, '440 Hz before the pause');
    expectNoClickIn(samples, lowAfter, 440, before, '440 Hz after the resume');
  }, 120_000);

  it('fails WaitForReady with the reason when the controller cannot start Chromium, and ends FAILED with nothing left', async () => {
    const broken = await startLocalCloud({ env: { SHELCASTER_CONTROLLER_ENV: JSON.stringify({ CHROMIUM_PATH: '/nonexistent/chromium' }) } });
    try {
      const host = new SessionApi(broken, await localToken(broken.dataDir, HOST));
      const config = localClientConfig(broken.awsEndpoint);
      const { sessionId, executionArn } = await host.createSession('No browser');
      const final = await host.waitOver(sessionId);
      expect(final).toMatchObject({ status: 'FAILED', reason: 'CONTROLLER_FAILED' });
      const record = await readSessionRecord(broken.awsEndpoint, sessionId);
      expect(record?.reasonDetail).toMatch(/^Shelcaster\.ControllerFailed: .*could not join the stage.*\/nonexistent\/chromium/);

      const sfn = new SFNClient(config);
      const execution = await finishedExecution(sfn, executionArn);
      expect(execution.status).toBe('FAILED');
      const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
      const entered = history.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name);
      expect(entered).toEqual(['CreateStage', 'StartController', 'WaitForReady', 'Teardown', 'EndedOrFailed', 'SessionFailed']);
      const failed = history.find((e) => e.type === 'TaskFailed');
      expect(failed?.taskFailedEventDetails?.error).toBe('Shelcaster.ControllerFailed');
      expect(failed?.taskFailedEventDetails?.cause).toContain('/nonexistent/chromium');

      // Nothing is left: no task, no session queue, no stage, no controller process (nor a Chromium it started).
      const ecs = new ECSClient(config);
      await eventually(
        async () => ((await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, desiredStatus: 'RUNNING' }))).taskArns?.length === 0 ? true : undefined),
        20_000,
        'no running task',
      );
      const stopped = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'STOPPED' }));
      expect(stopped.taskArns).toHaveLength(1);
      const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: stopped.taskArns }))).tasks?.[0];
      expect(task?.containers?.[0]?.exitCode).toBe(1);
      expect(isAlive(Number(task?.containers?.[0]?.runtimeId))).toBe(false);
      const queues = await new SQSClient(config).send(new ListQueuesCommand({ QueueNamePrefix: COMMAND_QUEUE_PREFIX }));
      expect((queues.QueueUrls ?? []).map((u) => u.split('/').pop())).toEqual([COMMAND_DLQ_NAME]);
      expect((await new IVSRealTimeClient(config).send(new ListStagesCommand({}))).stages ?? []).toEqual([]);
      expect(descendants(broken.process.pid!).map(commandLine)).toEqual([]);
    } finally {
      await broken.stop();
    }
  }, 120_000);
});

/** A process's command line (for messages). */
function commandLine(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()}`;
  } catch {
    return `${pid} (gone)`;
  }
}

