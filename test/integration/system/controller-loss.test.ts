/**
 * Issue 8, "Faults: the show goes on", against one real local cloud: a controller killed (SIGKILL) or
 * stopped through the ECS API during a live show is replaced by the same execution, the session stays LIVE,
 * the new controller comes back on air and resumes the program where the show's clock says; only losses
 * beyond MAX_CONTROLLER_RESTARTS within the window end the show, FAILED with CONTROLLER_LOST. Positions are
 * compared with the times the system recorded (the PLAY command's `appliedAt`, the controllers' now-playing
 * reports), never with when this test sent a request; how fast the show is back on air is a benchmark figure.
 *
 * The local cloud runs with AWS's delivery semantics where the local cloud could be kinder (issue 15, item
 * 10): EventBridge delivers every ECS task state change twice, each copy after a random delay of up to 3 s
 * (at least once, in any order: a stop may come again after the replacement's callback opened), and a deleted
 * queue goes on answering for a few seconds, as SQS's DeleteQueue "takes up to 60 seconds". The show must stay
 * LIVE with one replacement per loss. Before the losses, a StartController whose recording failed after its
 * RunTask is retried by the state machine with the same RunTask token: one task, not two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, COMMAND_QUEUE_PREFIX, FUNCTION_NAMES, MAX_CONTROLLER_RESTARTS, commandQueueName } from '#contract/index';
import { toneWav } from '#harness/tone-wav';
import { isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import {
  awsClients,
  enteredStates,
  sessionRecord,
  executionHistory,
  finishedExecution,
  hostApi,
  runningController,
  sessionTasks,
  startLiveSession,
  uploadMedia,
  waitForSession,
  type AwsClients,
  type HostApi,
  type Json,
} from '#harness/system-session';

/** Position tolerance of a resumed program (the show clock vs. what the new controller reports). */
const POSITION_TOLERANCE_SECONDS = 2;

const HOST = 'host-controller-loss';

let cloud: RunningLocalCloud;
let aws: AwsClients;
let api: HostApi;
let programUrl: string;

/** Every ECS event delivered twice, each copy after up to 3 s: EventBridge's at-least-once, any-order delivery. */
const AT_LEAST_ONCE = JSON.stringify({ duplicateRate: 1, maxDelayMs: 3000 });
/** A deleted queue answers this long (AWS: up to 60 s; shorter here so the last test's check stays quick). */
const QUEUE_DELETION_MS = 5000;

beforeAll(async () => {
  cloud = await startLocalCloud({ env: { SHELCASTER_EVENT_DELIVERY: AT_LEAST_ONCE, SHELCASTER_SQS_DELETE_DELAY_MS: String(QUEUE_DELETION_MS) } });
  aws = awsClients(cloud);
  api = hostApi(() => cloud, await localToken(cloud.dataDir, HOST));
  // Five minutes of a quiet 440 Hz tone, 16 kHz mono: long enough never to end during the test.
  programUrl = await uploadMedia(aws.s3, HOST, 'long-tone.wav', toneWav({ frequency: 440, seconds: 300, sampleRate: 16_000, amplitude: 0.2 }));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Watches GET /sessions/{id} every 200 ms and remembers every status it saw. */
function watchStatuses(sessionId: string) {
  const seen = new Set<string>();
  let running = true;
  const done = (async () => {
    while (running) {
      const { body } = await api('GET', `/sessions/${sessionId}`).catch(() => ({ body: {} as Json }));
      if (typeof body.status === 'string') seen.add(body.status);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Waits for OnAir to be entered more than `count` times; returns the time of the latest entry. */
async function waitForOnAirEntry(executionArn: string, count: number, timeoutMs: number): Promise<Date> {
  return eventually(
    async () => {
      const onAir = enteredStates(await executionHistory(aws.sfn, executionArn)).filter((s) => s.name === 'OnAir');
      return onAir.length > count ? onAir[onAir.length - 1]!.at : undefined;
    },
    timeoutMs,
    `OnAir entered ${count + 1} times`,
  );
}

/** A Lambda step's attempt that failed with a transient AWS error (the state machine retries it). */
const isTransientStepFailure = (e: HistoryEvent) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'Shelcaster.Transient';

/** Sets faults on the local cloud's AWS endpoint (its local-only `/_local/faults`), or clears them all. */
async function setFaults(faults: Json[] | 'none'): Promise<void> {
  const url = `${cloud.awsEndpoint}/_local/faults`;
  const answer = faults === 'none' ? await fetch(url, { method: 'DELETE' }) : await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
  expect(answer.ok).toBe(true);
}

/** Log events of the controller-stopped function since `startTime` that contain `term`. */
async function controllerStoppedLog(term: string, startTime: number): Promise<string[]> {
  const events: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.logs.send(
      new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FUNCTION_NAMES.controllerStopped}`, startTime, filterPattern: `"${term}"`, nextToken }),
    );
    events.push(...(page.events ?? []).map((e) => e.message ?? ''));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Kills (SIGKILL) a controller process and returns when it was killed. */
function killController(pid: number): number {
  process.kill(pid, 'SIGKILL');
  return Date.now();
}

describe('A StartController that fails after its RunTask', () => {
  it('is retried by the state machine with the same RunTask token: one controller task, recorded, and the show goes LIVE', async () => {
    // RunTask is slowed (3 s) so this test can fail the recording of its task (DynamoDB UpdateItem) in time.
    await setFaults([{ service: 'ecs', operation: 'RunTask', latencyMs: 3000 }]);
    try {
      const created = await api.send('createSession', { body: { title: 'Retried RunTask' } });
      if (!created.ok) throw new Error(`POST /sessions answered ${created.status}`);
      const { sessionId, executionArn } = created.body;
      await eventually(
        async () => (enteredStates(await executionHistory(aws.sfn, executionArn)).some((s) => s.name === 'StartController') ? true : undefined),
        60_000,
        'StartController entered',
      );
      await setFaults([{ service: 'dynamodb', operation: 'UpdateItem', errorRate: 1 }]);
      // The step's first attempt ran the task, then could not record it: it failed, and the state machine retries it.
      await eventually(
        async () => ((await executionHistory(aws.sfn, executionArn)).some(isTransientStepFailure) ? true : undefined),
        30_000,
        'the first StartController attempt to fail',
      );
      await setFaults('none');
      await waitForSession(api, sessionId, (s) => s.status === 'LIVE', 90_000, 'the session to go LIVE', true);

      const history = await executionHistory(aws.sfn, executionArn);
      const names = enteredStates(history).map((s) => s.name);
      expect(names.filter((n) => n === 'StartController')).toHaveLength(1);
      expect(history.filter(isTransientStepFailure).length).toBeGreaterThanOrEqual(1);
      // One task was ever started for the session (the retry's RunTask answered the first one), and it is the one recorded.
      const running = await sessionTasks(aws.ecs, sessionId);
      const stopped = await sessionTasks(aws.ecs, sessionId, 'STOPPED');
      expect(running.map((t) => t.taskArn)).toHaveLength(1);
      expect(stopped).toEqual([]);
      expect((await sessionRecord(aws.dynamodb, sessionId))?.taskArn).toBe(running[0]!.taskArn);

      const end = await api('DELETE', `/sessions/${sessionId}`);
      expect(end.status).toBeLessThan(300);
      await waitForSession(api, sessionId, (s) => s.status === 'ENDED', 60_000, 'the session to end');
    } finally {
      await setFaults('none');
    }
  }, 240_000);
});

describe('A controller lost during a live show', () => {
  let sessionId: string;
  let executionArn: string;
  const controllerPids: number[] = [];

  it('is replaced by the same execution, back on air, resuming the program at the show clock', async () => {
    ({ sessionId, executionArn } = await startLiveSession(api, 'Controller loss'));
    const play = await api('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'long-tone', programUrl });
    expect(play.status).toBe(202);
    const applied = await eventually(
      async () => {
        const { body } = await api('GET', `/sessions/${sessionId}/commands/${play.body.commandId as string}`);
        return body.status === 'APPLIED' ? body : undefined;
      },
      30_000,
      'PLAY_MEDIA applied',
    );
    // The program started at position 0 when the controller recorded PLAY_MEDIA as applied.
    const playedAt = Date.parse(applied.appliedAt as string);
    // A bed under it, from 100 s, at 40 %: every deck is resumed, not only the program.
    for (const command of [
      { type: 'PLAY_MEDIA', programId: 'long-bed', programUrl, deck: 'bed', startAtSeconds: 100 },
      { type: 'SET_VOLUME', deck: 'bed', volume: 0.4 },
    ]) {
      const sent = await api('POST', `/sessions/${sessionId}/commands`, command);
      await eventually(
        async () => ((await api('GET', `/sessions/${sessionId}/commands/${sent.body.commandId as string}`)).body.status === 'APPLIED' ? true : undefined),
        30_000,
        `${command.type} on the bed applied`,
      );
    }
    await waitForSession(api, sessionId, (s) => (s.nowPlaying as Json | undefined)?.state === 'PLAYING', 30_000, 'the tone to play');
    await waitForOnAirEntry(executionArn, 0, 10_000);
    const first = await runningController(aws.ecs, sessionId);
    controllerPids.push(first.pid);
    // Let the program run past a now-playing report, so the resumed position is far from 0.
    await new Promise((r) => setTimeout(r, 6000));

    // The show clock: the first controller's last report, advanced by the wall clock.
    const before = (await api('GET', `/sessions/${sessionId}`)).body.nowPlaying as Json;
    const showClockAt = (at: number) => (before.positionSeconds as number) + (at - Date.parse(before.updatedAt as string)) / 1000;
    const bedBefore = (before.decks as Record<string, Json>).bed!;
    const bedClockAt = (at: number) => (bedBefore.positionSeconds as number) + (at - Date.parse(before.updatedAt as string)) / 1000;
    const statuses = watchStatuses(sessionId);
    const killedAt = killController(first.pid);
    const backOnAir = await waitForOnAirEntry(executionArn, 1, 60_000);
    const secondsToAir = (backOnAir.getTime() - killedAt) / 1000;
    // The 10 s target is a figure for the benchmark (npm run bench), not an assertion here.
    console.info(`Back on air ${secondsToAir.toFixed(2)} s after the kill`);
    console.info(
      (await executionHistory(aws.sfn, executionArn))
        .filter((e) => (e.timestamp?.getTime() ?? 0) >= killedAt && e.type?.endsWith('StateEntered'))
        .map((e) => `  +${((e.timestamp!.getTime() - killedAt) / 1000).toFixed(2)} s ${e.stateEnteredEventDetails?.name ?? ''}`)
        .join('\n'),
    );

    const second = await runningController(aws.ecs, sessionId);
    controllerPids.push(second.pid);
    expect(second.taskArn).not.toBe(first.taskArn);
    // The stop was delivered (at least) twice, and only one delivery failed a callback: one replacement.
    await eventually(async () => ((await controllerStoppedLog('platform.start', killedAt)).length >= 2 ? true : undefined), 30_000, 'the stop event delivered twice');
    expect((await controllerStoppedLog('Controller stopped; callback failed', killedAt)).filter((m) => m.includes(first.taskArn))).toHaveLength(1);
    expect(isAlive(first.pid)).toBe(false);

    const names = enteredStates(await executionHistory(aws.sfn, executionArn)).map((s) => s.name);
    expect(names.slice(names.indexOf('OnAir'))).toEqual([
      'OnAir',
      'ControllerLost',
      'ReplaceOrEnd',
      'ReplaceController',
      'WaitForReplacementReady',
      'GoLive',
      'OnAir',
    ]);
    expect((await aws.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    // The new controller reports the program playing where the show's clock is.
    const resumed = await waitForSession(
      api,
      sessionId,
      (s) => {
        const np = s.nowPlaying as Json | undefined;
        return np?.state === 'PLAYING' && Date.parse(np.updatedAt as string) > killedAt;
      },
      20_000,
      'now-playing from the new controller',
    );
    const nowPlaying = resumed.nowPlaying as Json;
    const expected = showClockAt(Date.parse(nowPlaying.updatedAt as string));
    const sincePlay = (Date.parse(nowPlaying.updatedAt as string) - playedAt) / 1000;
    console.info(
      `Resumed at ${String(nowPlaying.positionSeconds)} s; the show clock says ${expected.toFixed(2)} s (${sincePlay.toFixed(2)} s since PLAY_MEDIA was applied)`,
    );
    expect(nowPlaying.programId).toBe('long-tone');
    expect(Math.abs((nowPlaying.positionSeconds as number) - expected)).toBeLessThanOrEqual(POSITION_TOLERANCE_SECONDS);
    // The bed too: its track, its volume, at its own show-clock position.
    const bed = (nowPlaying.decks as Record<string, Json>).bed!;
    console.info(`Bed resumed at ${String(bed.positionSeconds)} s; its show clock says ${bedClockAt(Date.parse(nowPlaying.updatedAt as string)).toFixed(2)} s`);
    expect(bed).toMatchObject({ programId: 'long-bed', state: 'PLAYING', volume: 0.4 });
    expect(Math.abs((bed.positionSeconds as number) - bedClockAt(Date.parse(nowPlaying.updatedAt as string)))).toBeLessThanOrEqual(POSITION_TOLERANCE_SECONDS);
    expect(Math.abs((nowPlaying.positionSeconds as number) - sincePlay)).toBeLessThanOrEqual(POSITION_TOLERANCE_SECONDS);
    expect(resumed.controllerRestarts).toBe(1);

    await statuses.stop();
    expect([...statuses.seen]).toEqual(['LIVE']);
  }, 240_000);

  it('handles a task stopped through the ECS API like a kill', async () => {
    const current = await runningController(aws.ecs, sessionId);
    const statuses = watchStatuses(sessionId);
    const stoppedAt = Date.now();
    await aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: current.taskArn, reason: 'An operator stopped it' }));
    const backOnAir = await waitForOnAirEntry(executionArn, 2, 60_000);
    console.info(`Back on air ${((backOnAir.getTime() - stoppedAt) / 1000).toFixed(2)} s after StopTask`);
    const next = await runningController(aws.ecs, sessionId);
    controllerPids.push(next.pid);
    expect(next.taskArn).not.toBe(current.taskArn);
    const stopped = (await sessionTasks(aws.ecs, sessionId, 'STOPPED')).find((t) => t.taskArn === current.taskArn);
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'An operator stopped it' });
    const session = await waitForSession(api, sessionId, (s) => s.controllerRestarts === 2, 10_000, 'controllerRestarts 2');
    expect(session.status).toBe('LIVE');
    await statuses.stop();
    expect([...statuses.seen]).toEqual(['LIVE']);
    expect((await aws.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  }, 120_000);

  it(`ends the show FAILED with CONTROLLER_LOST once more than ${MAX_CONTROLLER_RESTARTS} controllers are lost within the window`, async () => {
    // Two losses so far; one more is still replaced, the one after that is beyond the budget.
    for (let loss = 3; loss <= MAX_CONTROLLER_RESTARTS + 1; loss++) {
      const current = await runningController(aws.ecs, sessionId);
      if (!controllerPids.includes(current.pid)) controllerPids.push(current.pid);
      killController(current.pid);
      if (loss <= MAX_CONTROLLER_RESTARTS) await waitForOnAirEntry(executionArn, loss, 60_000);
    }
    const ended = await waitForSession(api, sessionId, (s) => s.status === 'FAILED' || s.status === 'ENDED', 60_000, 'the session to end');
    expect(ended).toMatchObject({ status: 'FAILED', reason: 'CONTROLLER_LOST', controllerRestarts: MAX_CONTROLLER_RESTARTS });
    const execution = await finishedExecution(aws.sfn, executionArn);
    expect(execution.status).toBe('FAILED');
    const names = enteredStates(await executionHistory(aws.sfn, executionArn)).map((s) => s.name);
    expect(names.filter((n) => n === 'ControllerLost')).toHaveLength(MAX_CONTROLLER_RESTARTS + 1);
    expect(names.slice(-5)).toEqual(['ControllerLost', 'ReplaceOrEnd', 'Teardown', 'EndedOrFailed', 'SessionFailed']);

    // Nothing left running: no task, no queue, no controller process.
    await eventually(async () => ((await sessionTasks(aws.ecs, sessionId)).length === 0 ? true : undefined), 20_000, 'no running task');
    // The queue is deleted; as on AWS it may answer a while longer (QUEUE_DELETION_MS here), then it is gone.
    await eventually(
      async () => {
        const queues = await aws.sqs.send(new ListQueuesCommand({ QueueNamePrefix: COMMAND_QUEUE_PREFIX }));
        return (queues.QueueUrls ?? []).map((u) => u.split('/').pop()).includes(commandQueueName(sessionId)) ? undefined : true;
      },
      QUEUE_DELETION_MS + 20_000,
      'the session queue to be gone',
    );
    await eventually(async () => (controllerPids.every((p) => !isAlive(p)) ? true : undefined), 20_000, 'controller processes to exit');
  }, 240_000);
});
