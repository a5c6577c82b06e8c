/**
 * Fargate's start-up, modelled by the local ECS, in the whole local cloud as `npm start` runs it (here with
 * SHELCASTER_FARGATE_STARTUP_MS=6000: 2 s PROVISIONING, 4 s PENDING): a session's controller task records
 * createdAt, pullStartedAt and startedAt that far apart and its process starts only at startedAt; a session
 * ended while its controller is still starting ends with the task STOPPED before anything ran; Ctrl-C while
 * a task starts leaves nothing running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_LOG_GROUP } from '#contract/index';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { descendants, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { awsClients, executionHistory, hostApi, sessionTasks, startLiveSession, waitForSession, type AwsClients, type HostApi } from '#harness/system-session';

const STARTUP_MS = 6000;
let cloud: RunningLocalCloud | undefined;
let aws: AwsClients;
let api: HostApi;

beforeAll(async () => {
  cloud = await startLocalCloud({ env: { SHELCASTER_FARGATE_STARTUP_MS: String(STARTUP_MS) } });
  aws = awsClients(cloud);
  api = hostApi(() => cloud!, await localToken(cloud.dataDir, 'host-fargate'));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

describe("Fargate's start-up in the local cloud", () => {
  it('prints that the model is on', () => {
    expect(cloud!.output()).toMatch(/Fargate model\s+controller tasks take 6 s from RunTask to RUNNING/);
  });

  it('holds a session\'s controller PROVISIONING, then PENDING, and starts its process only when RUNNING', async () => {
    const { sessionId, executionArn, live } = await startLiveSession(api, 'Cold start', 120_000);
    const [task] = await sessionTasks(aws.ecs, sessionId);
    expect(task?.lastStatus).toBe('RUNNING');
    const created = task!.createdAt!.getTime();
    const pullStarted = task!.pullStartedAt!.getTime();
    const pullStopped = task!.pullStoppedAt!.getTime();
    const started = task!.startedAt!.getTime();
    expect(pullStarted - created).toBeGreaterThanOrEqual((STARTUP_MS / 3) * 0.99);
    expect(pullStopped - pullStarted).toBeGreaterThanOrEqual(((STARTUP_MS * 2) / 3) * 0.99);
    expect(started).toBeGreaterThanOrEqual(pullStopped);
    // Nothing of the controller ran before the task was RUNNING: its first log line comes after startedAt.
    const logs = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` }));
    const first = Math.min(...(logs.events ?? []).map((event) => event.timestamp!));
    expect(first).toBeGreaterThanOrEqual(started);
    // The session waited for it: READY was answered after the task started, and LIVE came after that.
    const history = await executionHistory(aws.sfn, executionArn);
    const readyExited = history.find((event) => event.type === 'TaskStateExited' && event.stateExitedEventDetails?.name === 'WaitForReady');
    expect(readyExited?.timestamp?.getTime()).toBeGreaterThanOrEqual(started);
    expect(Date.parse(String(live.liveAt))).toBeGreaterThanOrEqual(started);
    const ended = await api('DELETE', `/sessions/${sessionId}`);
    expect(ended.status, JSON.stringify(ended.body)).toBe(202);
    await waitForSession(api, sessionId, (s) => s.status === 'ENDED', 60_000, 'the session to end');
  }, 180_000);

  it('ends a session whose controller is still starting: the task is STOPPED without having run', async () => {
    const created = await api.send('createSession', { body: { title: 'Ended while starting' } });
    expect(created.status).toBe(202);
    const { sessionId } = created.body as { sessionId: string };
    const starting = await eventually(async () => (await sessionTasks(aws.ecs, sessionId)).find((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING'), 60_000, 'the controller task to be starting', 50);
    expect(starting.startedAt).toBeUndefined();
    const deleted = await api('DELETE', `/sessions/${sessionId}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
    const ended = await waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 60_000, 'the session to end');
    expect(ended.status).toBe('ENDED');
    const [stopped] = await eventually(async () => {
      const tasks = await sessionTasks(aws.ecs, sessionId, 'STOPPED');
      return tasks.length && tasks.every((t) => t.lastStatus === 'STOPPED') ? tasks : undefined;
    }, 30_000, 'the task to be STOPPED');
    expect(stopped!.startedAt).toBeUndefined();
    expect(stopped!.containers?.[0]?.runtimeId).toBeUndefined();
    expect(await sessionTasks(aws.ecs, sessionId, 'RUNNING')).toEqual([]);
  }, 120_000);

  it('stops at Ctrl-C while a controller task is starting, leaving nothing running', async () => {
    const created = await api.send('createSession', { body: { title: 'Ctrl-C while starting' } });
    const { sessionId } = created.body as { sessionId: string };
    await eventually(async () => (await sessionTasks(aws.ecs, sessionId)).find((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING'), 60_000, 'the controller task to be starting', 50);
    const pid = cloud!.process.pid!;
    const running = cloud!;
    cloud = undefined;
    const code = await running.stop();
    expect(code, running.output().slice(-4000)).toBe(0);
    expect(descendants(pid)).toEqual([]);
  }, 120_000);
});
