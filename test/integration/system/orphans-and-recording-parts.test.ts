/**
 * Orphan controllers and a recording in several parts (issue 15, items 2 and 5), against one real local cloud
 * with real controllers, Chromium and the local stage's recorder, in one live show:
 *
 * - A second task of the controller's own start (as a RunTask made again after its recording failed) finds
 *   another task recorded for its start and stops itself before it starts Chromium; the show goes on.
 * - A task of a start not recorded yet whose command queue does not exist joins, then stops itself when its
 *   queue is gone (QueueDoesNotExist) instead of polling for ever.
 * - The composition is stopped mid-show and the controller killed: the replacement's GoLive starts a second
 *   composition, recorded as a second part; the episode then holds both parts in order (a tone played in
 *   each), where before it held the last part only.
 * - A task started for the session that nobody recorded is still running when the host ends the show:
 *   Teardown stops it (ListTasks by startedBy), and nothing of the session is left running.
 *
 * Assertions use what the system recorded (task states and exit codes, log lines, the session record, the
 * recording), never how long the test waited.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { IVSRealTimeClient, StopCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import {
  CLUSTER_NAME,
  CONTROLLER_CONTAINER_NAME,
  CONTROLLER_TASK_FAMILY,
  controllerSessionEnvironment,
} from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { SessionApi } from '#harness/session-api';
import {
  awsClients,
  controllerLogLines,
  runningController,
  sessionRecord,
  sessionTasks,
  uploadMedia,
  type AwsClients,
} from '#harness/system-session';
import { decodeMono, findPresence, toneTrack, writeToneWav } from '#harness/tones';

const HOST = 'host-orphans-and-parts';
/** A tone counts as present from this amplitude (the tones are written at 1/8). */
const PRESENT = 0.01;
const PART_ONE_HZ = 660;
const PART_TWO_HZ = 990;

let cloud: RunningLocalCloud;
let host: SessionApi;
let aws: AwsClients;
let work: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  host = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
  aws = awsClients(cloud);
  work = await mkdtemp(join(tmpdir(), 'orphans-and-parts-'));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs a controller task for the session as start-controller would, with the given generation and queue. */
async function runOrphan(sessionId: string, generation: number, queueUrl?: string): Promise<string> {
  const record = await sessionRecord(aws.dynamodb, sessionId);
  const { tasks } = await aws.ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER_NAME,
      taskDefinition: CONTROLLER_TASK_FAMILY,
      launchType: 'FARGATE',
      startedBy: sessionId,
      overrides: {
        containerOverrides: [
          {
            name: CONTROLLER_CONTAINER_NAME,
            environment: controllerSessionEnvironment({ sessionId, stageArn: record!.stageArn!, queueUrl: queueUrl ?? record!.queueUrl!, generation }),
          },
        ],
      },
    }),
  );
  return tasks![0]!.taskArn!;
}

/** Waits until the task is STOPPED; returns it. */
const stopped = (sessionId: string, taskArn: string) =>
  eventually(async () => (await sessionTasks(aws.ecs, sessionId, 'STOPPED')).find((t) => t.taskArn === taskArn), 90_000, `task ${taskArn} to stop`);

describe('Orphan controllers, and an episode made of every part of the show', () => {
  it('keeps one controller per session, records each composition as a part, and ends with nothing running', async () => {
    const partOne = join(work, 'part-one.wav');
    const partTwo = join(work, 'part-two.wav');
    await writeToneWav(partOne, [{ frequency: PART_ONE_HZ, seconds: 4 }]);
    await writeToneWav(partTwo, [{ frequency: PART_TWO_HZ, seconds: 4 }]);
    const partOneUrl = await uploadMedia(aws.s3, HOST, 'part-one.wav', await readFile(partOne));
    const partTwoUrl = await uploadMedia(aws.s3, HOST, 'part-two.wav', await readFile(partTwo));

    const { sessionId } = await host.createSession('Orphans and parts');
    await host.waitLive(sessionId, 90_000);
    const current = await runningController(aws.ecs, sessionId);

    // A second task of the same start: it finds the recorded task and stops itself, before Chromium.
    const sameStart = await runOrphan(sessionId, 0);
    const sameStartStopped = await stopped(sessionId, sameStart);
    expect(sameStartStopped.containers?.[0]?.exitCode).toBe(0);
    expect(await eventually(async () => ((await controllerLogLines(aws.logs, sessionId)).some((l) => l.message === "Not the session's controller; stopping") ? true : undefined), 30_000, 'the orphan to say why it stopped')).toBe(true);
    expect((await sessionTasks(aws.ecs, sessionId)).map((t) => t.taskArn)).toEqual([current.taskArn]);

    // A task whose queue does not exist (a later start, not recorded yet): it stops once its queue is found gone.
    const record = await sessionRecord(aws.dynamodb, sessionId);
    const goneQueue = record!.queueUrl!.replace(/\.fifo$/, '-gone.fifo');
    const queueless = await runOrphan(sessionId, 99, goneQueue);
    const queuelessStopped = await stopped(sessionId, queueless);
    expect(queuelessStopped.containers?.[0]?.exitCode).toBe(0);
    expect((await controllerLogLines(aws.logs, sessionId)).some((l) => l.message === 'The command queue is gone; the controller stops')).toBe(true);

    // Part one: a tone, then the composition stops and the controller dies; the replacement starts part two.
    await host.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'part-one', programUrl: partOneUrl });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await host.applied(sessionId, { type: 'STOP_MEDIA' });
    const firstComposition = (await sessionRecord(aws.dynamodb, sessionId))!.compositionArn!;
    const ivs = new IVSRealTimeClient({ endpoint: cloud.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ivs.send(new StopCompositionCommand({ arn: firstComposition }));
    process.kill(current.pid, 'SIGKILL');
    const twoParts = await eventually(
      async () => {
        const r = await sessionRecord(aws.dynamodb, sessionId);
        return r?.status === 'LIVE' && (r.recordings?.length ?? 0) === 2 ? r : undefined;
      },
      120_000,
      'a second composition recorded as a second part',
    );
    expect(twoParts.recordings!.map((p) => p.compositionArn)[0]).toBe(firstComposition);
    expect(twoParts.recordings![1]!.recordingPrefix).not.toBe(twoParts.recordings![0]!.recordingPrefix);
    await runningController(aws.ecs, sessionId, 90_000);
    await host.applied(sessionId, { type: 'PLAY_MEDIA', programId: 'part-two', programUrl: partTwoUrl });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await host.applied(sessionId, { type: 'STOP_MEDIA' });

    // A task started for the session that nobody recorded, running when the show ends: Teardown stops it.
    const unrecorded = await runOrphan(sessionId, 99);
    expect((await host.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    expect(await host.waitOver(sessionId, 90_000)).toMatchObject({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    expect((await stopped(sessionId, unrecorded)).stoppedReason).toBe('Session teardown');
    expect(await sessionTasks(aws.ecs, sessionId)).toEqual([]);

    // The episode: both parts, in order.
    const episode = join(work, 'episode.m4a');
    await host.downloadRecording(sessionId, episode, 90_000);
    const samples = await decodeMono(episode);
    const one = findPresence(toneTrack(samples, PART_ONE_HZ), PRESENT);
    const two = findPresence(toneTrack(samples, PART_TWO_HZ), PRESENT);
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
    expect(one[0]!.startSeconds).toBeLessThan(two[0]!.startSeconds);
  }, 420_000);
});
