/**
 * The warm pool in the whole local cloud, as `npm start` runs it (SHELCASTER_WARM_POOL_SIZE=1; the Fargate
 * model off, as in every test not about it): one idle controller is kept, Chromium running and its page
 * loaded; a show claims it and the pool is refilled; two shows started at once share out one warm controller
 * and one new task; a warm controller that dies idle, or that ECS stops, is replaced and never claimed; Ctrl-C
 * leaves no controller running. What goes wrong during a claim (a lost race, a claimed controller stopped, a show
 * ended while it claims) is forced in warm-pool-claim-failures.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, CONTROLLER_LOG_GROUP, WARM_POOL_STARTED_BY } from '#contract/index';
import { descendants, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { awsClients, hostApi, sessionRecord, sessionTasks, waitForSession, type AwsClients, type HostApi } from '#harness/system-session';
import { idleController as idleOf, poolRecords as poolOf, runningPoolTasks as runningOf } from '#test/support/warm-pool';

let cloud: RunningLocalCloud | undefined;
let aws: AwsClients;
let hosts = 0;

beforeAll(async () => {
  cloud = await startLocalCloud({ env: { SHELCASTER_WARM_POOL_SIZE: '1' } });
  aws = awsClients(cloud);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** A host of its own for each test (the per-host cap of live shows stays out of the way). */
async function newHost(): Promise<HostApi> {
  return hostApi(() => cloud!, await localToken(cloud!.dataDir, `host-pool-${++hosts}`));
}

const poolRecords = () => poolOf(aws);
const runningPoolTasks = () => runningOf(aws);
const idleController = (except: readonly string[] = []) => idleOf(aws, except);

/** The log streams that carry lines of a session (one per controller task that served it). */
async function streamsServing(sessionId: string): Promise<Set<string>> {
  const page = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` }));
  return new Set((page.events ?? []).filter((e) => e.message?.includes(`"sessionId":"${sessionId}"`)).map((e) => e.logStreamName ?? ''));
}

const taskIdOf = (arn: string) => arn.split('/').pop() ?? '';

async function endAndSettle(api: HostApi, sessionId: string): Promise<void> {
  const ended = await api('DELETE', `/sessions/${sessionId}`);
  expect([202, 409]).toContain(ended.status);
  await waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 60_000, 'the session to end');
}

describe('The warm pool of controllers', () => {
  it('keeps one idle controller, its page loaded, started by the pool', async () => {
    const idle = await idleController();
    const { tasks } = await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: [idle.taskArn] }));
    expect(tasks?.[0]?.startedBy).toBe(WARM_POOL_STARTED_BY);
    expect(Date.parse(idle.seenAt!)).toBeGreaterThanOrEqual(Date.parse(idle.startedAt));
    expect(cloud!.output()).toMatch(/Warm pool\s+1 idle controller kept ready/);
  }, 120_000);

  it('two shows started at once with one warm controller: one claims it, the other runs a new task, each served by its own, both LIVE; the pool refills', async () => {
    const warm = await idleController();
    expect((await poolRecords()).filter((r) => r.state === 'IDLE' || r.state === 'STARTING')).toHaveLength(1);
    const api = await newHost();
    const created = await Promise.all(['Show A', 'Show B'].map((title) => api.send('createSession', { body: { title } })));
    const ids = created.map((answer) => {
      expect(answer.status).toBe(202);
      return (answer.body as { sessionId: string }).sessionId;
    });
    await Promise.all(ids.map((id) => waitForSession(api, id, (s) => s.status === 'LIVE', 120_000, 'the session to go LIVE', true)));

    const recorded = await Promise.all(ids.map(async (id) => (await sessionRecord(aws.dynamodb, id))!.taskArn!));
    expect(new Set(recorded).size).toBe(2);
    const claimer = recorded.indexOf(warm.taskArn);
    expect(claimer).toBeGreaterThanOrEqual(0);
    const other = 1 - claimer;
    // The other show's controller is a task run for it.
    const [ownTask] = await sessionTasks(aws.ecs, ids[other]!);
    expect(ownTask?.taskArn).toBe(recorded[other]);
    // The warm one went to one session, by its claim.
    const claimed = (await poolRecords()).find((r) => r.taskArn === warm.taskArn);
    expect(claimed).toMatchObject({ state: 'CLAIMED', assignment: { sessionId: ids[claimer], generation: 0 } });
    // Neither controller serves both: each session's lines come from its own task's log stream only.
    for (const [i, id] of ids.entries()) {
      const streams = [...(await streamsServing(id))];
      expect(streams.length, `${id} log streams`).toBe(1);
      expect(streams[0]).toContain(taskIdOf(recorded[i]!));
    }
    // The claim is replaced: a new idle controller.
    const refilled = await idleController([warm.taskArn]);
    expect(refilled.taskArn).not.toBe(warm.taskArn);
    expect(Date.parse(refilled.startedAt)).toBeGreaterThanOrEqual(Date.parse(claimed!.claimedAt!));

    await Promise.all(ids.map((id) => endAndSettle(api, id)));
    // Claimed controllers go with their session.
    await eventually(async () => ((await runningPoolTasks()).includes(warm.taskArn) ? undefined : true), 60_000, 'the claimed controller to stop');
    expect(await sessionTasks(aws.ecs, ids[other]!)).toEqual([]);
  }, 300_000);

  it('a warm controller that dies idle is never claimed: the show gets another, and the pool replaces it', async () => {
    const doomed = await idleController();
    const { tasks } = await aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: [doomed.taskArn] }));
    const pid = Number(tasks?.[0]?.containers?.[0]?.runtimeId);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const api = await newHost();
    const created = await api.send('createSession', { body: { title: 'After a death' } });
    const { sessionId } = created.body as { sessionId: string };
    await waitForSession(api, sessionId, (s) => s.status === 'LIVE', 120_000, 'the session to go LIVE', true);
    expect((await sessionRecord(aws.dynamodb, sessionId))!.taskArn).not.toBe(doomed.taskArn);

    const replacement = await idleController([doomed.taskArn]);
    expect(replacement.taskArn).not.toBe(doomed.taskArn);
    await eventually(async () => ((await poolRecords()).some((r) => r.taskArn === doomed.taskArn) ? undefined : true), 90_000, "the dead controller's record to go");
    await endAndSettle(api, sessionId);
  }, 300_000);

  it('a warm controller ECS stops is replaced, and nothing of it is left running', async () => {
    const stopped = await idleController();
    await aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: stopped.taskArn, reason: 'test: stopped by ECS' }));
    const replacement = await idleController([stopped.taskArn]);
    expect(replacement.taskArn).not.toBe(stopped.taskArn);
    await eventually(async () => ((await runningPoolTasks()).includes(stopped.taskArn) ? undefined : true), 60_000, 'the stopped controller to be gone');
    await eventually(async () => ((await poolRecords()).some((r) => r.taskArn === stopped.taskArn) ? undefined : true), 60_000, 'its record to go');
  }, 240_000);

  it('Ctrl-C stops the pool with everything else: no controller left running', async () => {
    await idleController();
    const pid = cloud!.process.pid!;
    const running = cloud!;
    cloud = undefined;
    const code = await running.stop();
    expect(code, running.output().slice(-4000)).toBe(0);
    expect(descendants(pid)).toEqual([]);
  }, 120_000);
});
