/**
 * Issue 8, "The local cloud stopped and started again mid-show": a live show with a command applied and a
 * recording under way; the whole local cloud is SIGKILLed (its process group: nothing runs its shutdown) and
 * started again on the same data directory and ports. Then the session is LIVE again with a new controller
 * under the same execution (or ended with a reason — never stuck), its command records are still there, the
 * recording segments uploaded before the crash are still in S3, nothing of the old controller (node,
 * Chromium) is left running, and ending the session ENDS it with the recording closed.
 *
 * Faults set at start (issue 15, item 12): the local cloud runs with SHELCASTER_FAULTS (SQS's ReceiveMessage
 * failing often) and is restarted with the same setting, as `npm start` would be. The restarted cloud holds
 * the same faults, its controller meets them, and the commands that flowed across the crash, the restart and
 * the faults are each APPLIED once or FAILED with a reason, none left QUEUED (from the command records).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_TIMEOUT_SECONDS } from '#contract/index';
import { toneWav } from '#harness/tone-wav';
import { descendants, isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { CommandFlow, listFaults, losses, NO_LOSSES, settledAccount, type FaultSpec } from '#harness/faults';
import { eventually } from '#harness/eventually';
import {
  LOCAL_MEDIA_BUCKET,
  awsClients,
  controllerLogLines,
  enteredStates,
  executionHistory,
  hostApi,
  sessionRecord,
  runningController,
  startLiveSession,
  uploadMedia,
  waitForSession,
  type AwsClients,
  type HostApi,
  type Json,
} from '#harness/system-session';

const HOST = 'host-restart';
/** Faults set at start: more than half of the controllers' receives fail (past the SDK's own retries about one in five). */
const START_FAULTS: FaultSpec[] = [{ service: 'sqs', operation: 'ReceiveMessage', errorRate: 0.6 }];
const FAULTS_ENV = { SHELCASTER_FAULTS: JSON.stringify(START_FAULTS) };

let cloud: RunningLocalCloud;
let aws: AwsClients;
let api: HostApi;

beforeAll(async () => {
  cloud = await startLocalCloud({ env: FAULTS_ENV });
  aws = awsClients(cloud);
  api = hostApi(() => cloud, await localToken(cloud.dataDir, HOST));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Keys under a prefix of the media bucket. */
async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_MEDIA_BUCKET, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

async function objectText(key: string): Promise<string> {
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key }));
  return await object.Body!.transformToString();
}

describe('The local cloud killed and restarted mid-show', () => {
  it('keeps the session, its commands and its recording, and the show goes on or ends with a reason', async () => {
    const programUrl = await uploadMedia(aws.s3, HOST, 'tone.wav', toneWav({ frequency: 523, seconds: 240, sampleRate: 16_000, amplitude: 0.2 }));
    const { sessionId, executionArn } = await startLiveSession(api, 'Restart');
    const play = await api('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'tone', programUrl });
    const commandId = play.body.commandId as string;
    await eventually(
      async () => ((await api('GET', `/sessions/${sessionId}/commands/${commandId}`)).body.status === 'APPLIED' ? true : undefined),
      30_000,
      'PLAY_MEDIA applied',
    );
    const recordingPrefix = await eventually(async () => (await sessionRecord(aws.dynamodb, sessionId))?.recordingPrefix, 10_000, 'a recording');
    const segmentsBefore = await eventually(
      async () => {
        const segments = (await keysUnder(recordingPrefix)).filter((k) => /\.(ts|m4s|aac|mp4)$/.test(k));
        return segments.length >= 2 ? segments : undefined;
      },
      30_000,
      'recording segments in S3',
    );
    const controller = await runningController(aws.ecs, sessionId);
    const oldProcesses = [controller.pid, ...descendants(controller.pid)];
    expect(oldProcesses.length).toBeGreaterThan(1); // the controller and its Chromium
    // Commands flow from before the crash until the show is on air again (refused while the API is down).
    // One a second: a controller whose receives mostly fail (START_FAULTS) on a busy machine applies fewer.
    const flow = new CommandFlow((command) => api('POST', `/sessions/${sessionId}/commands`, command), { intervalMs: 1000, burst: 1 }).start();
    await expect.poll(() => flow.accepted.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);

    // Crash: SIGKILL to the local cloud's process group. Controllers run in groups of their own (as
    // containers do) and outlive it; the restarted ECS finds them and stops them.
    const { dataDir, ports } = cloud;
    const crashedAt = Date.now();
    await cloud.kill();
    cloud = await startLocalCloud({ dataDir, ports, env: FAULTS_ENV });
    const backAfterSeconds = (Date.now() - crashedAt) / 1000;
    console.info(`Local cloud back ${backAfterSeconds.toFixed(1)} s after the kill`);

    // Never stuck: LIVE with the same execution waiting on air with a new controller, or ended with a reason.
    const outcome = await eventually(
      async () => {
        const session = (await api('GET', `/sessions/${sessionId}`)).body;
        if (session.status === 'ENDED' || session.status === 'FAILED') return session.reason ? session : undefined;
        if (session.status !== 'LIVE') return undefined;
        const execution = await aws.sfn.send(new DescribeExecutionCommand({ executionArn }));
        const entered = enteredStates(await executionHistory(aws.sfn, executionArn));
        const onAirAgain = entered.some((s) => s.name === 'OnAir' && s.at.getTime() > crashedAt);
        const current = await runningController(aws.ecs, sessionId, 1000).catch(() => undefined);
        return execution.status === 'RUNNING' && onAirAgain && current && current.pid !== controller.pid ? session : undefined;
      },
      90_000,
      'the session to be LIVE on air again or ended with a reason',
    );
    console.info(`After the restart: ${String(outcome.status)} (controllerRestarts ${String(outcome.controllerRestarts)})`);
    expect(outcome.status).toBe('LIVE');
    // A few commands accepted by the restarted cloud, then the flow stops.
    const acceptedBefore = flow.accepted.length;
    await expect.poll(() => flow.accepted.length - acceptedBefore, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    // The faults set at start are in force again after the restart, and the new controller meets them. A
    // receive fails past the SDK's retries about one time in five, so this is watched while the commands still
    // flow (each receive then returns at once), not read once from the few receives made so far.
    expect(await listFaults(cloud.awsEndpoint)).toMatchObject(START_FAULTS);
    const receiveFailures = async () => (await controllerLogLines(aws.logs, sessionId, crashedAt)).filter((l) => l.message === 'ReceiveMessage failed; retrying').length;
    await expect.poll(receiveFailures, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
    const posted = await flow.stop();
    // Every command accepted across the crash, the restart and the faults: APPLIED once or FAILED with a reason.
    const account = await settledAccount(aws.dynamodb, sessionId, flow.accepted, 120_000, [commandId]);
    console.info(`Commands: ${posted.length} posted, ${account.accepted} accepted, ${account.applied} applied, ${account.failed} failed with a reason`);
    expect(losses(account)).toEqual(NO_LOSSES);
    expect(account.applied + account.failed).toBe(account.accepted);
    const history = await executionHistory(aws.sfn, executionArn);
    const loss = history.find((e) => (e.timestamp?.getTime() ?? 0) > crashedAt && (e.type === 'TaskFailed' || e.type === 'TaskTimedOut'));
    const lossError = loss?.taskFailedEventDetails?.error ?? loss?.taskTimedOutEventDetails?.error;
    console.info(`OnAir ended by ${String(loss?.type)} ${String(lossError)}`);
    // The restarted ECS reports the lost task STOPPED, and the controller-stopped rule fails the OnAir wait at
    // once. Only a restart slower than the heartbeat timeout lets the heartbeat time out first.
    if (backAfterSeconds < HEARTBEAT_TIMEOUT_SECONDS - HEARTBEAT_INTERVAL_SECONDS - 5) expect(lossError).toBe('Shelcaster.ControllerStopped');
    else expect(['Shelcaster.ControllerStopped', 'States.Timeout']).toContain(lossError);
    const entered = enteredStates(history);
    console.info(
      entered
        .filter((s) => s.at.getTime() >= crashedAt)
        .map((s) => `  +${((s.at.getTime() - crashedAt) / 1000).toFixed(2)} s ${s.name}`)
        .join('\n'),
    );
    const names = entered.map((s) => s.name);
    expect(names.slice(names.indexOf('OnAir'))).toEqual([
      'OnAir',
      'ControllerLost',
      'ReplaceOrEnd',
      'ReplaceController',
      'WaitForReplacementReady',
      'GoLive',
      'OnAir',
    ]);

    // Nothing of the old controller runs any more.
    await eventually(async () => (oldProcesses.every((pid) => !isAlive(pid)) ? true : undefined), 20_000, 'the old controller and its Chromium to be gone');

    // The command record and the recording written before the crash are still there.
    expect((await api('GET', `/sessions/${sessionId}/commands/${commandId}`)).body).toMatchObject({ commandId, status: 'APPLIED' });
    for (const key of segmentsBefore) await aws.s3.send(new HeadObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key }));

    // Ending it works as ever: ENDED, the execution SUCCEEDED, every recording closed.
    expect((await api('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    const ended = await waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 60_000, 'the session to end');
    expect(ended).toMatchObject({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    await eventually(
      async () => ((await aws.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED' ? true : undefined),
      30_000,
      'the execution to succeed',
    );
    const prefixes = new Set([recordingPrefix, (await sessionRecord(aws.dynamodb, sessionId))!.recordingPrefix!]);
    for (const prefix of prefixes) {
      const keys = await eventually(
        async () => {
          const all = await keysUnder(prefix);
          return all.some((k) => /events\/recording-(ended|failed)\.json$/.test(k)) ? all : undefined;
        },
        30_000,
        `the recording under ${prefix} to be closed`,
      );
      const playlist = keys.find((k) => k.endsWith('.m3u8') && !k.endsWith('multivariant.m3u8'));
      expect(playlist).toBeDefined();
      expect(await objectText(playlist!)).toContain('#EXT-X-ENDLIST');
    }
    console.info(`Recordings: ${[...prefixes].join(', ')}`);
  }, 300_000);
});
