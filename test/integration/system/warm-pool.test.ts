/**
 * The warm pool in the whole local cloud, as `npm start` runs it (SHELCASTER_WARM_POOL_SIZE=1; the Fargate
 * model off, as in every test not about it): one idle controller is kept, Chromium running and its page
 * loaded; a show claims it and the pool is refilled; two shows started at once share out one warm controller
 * and one new task; a warm controller that dies idle, or that ECS stops, is replaced and never claimed; Ctrl-C
 * leaves no controller running. What goes wrong during a claim (a lost race, a claimed controller stopped, a show
 * ended while it claims) is forced in warm-pool-claim-failures.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, CONTROLLER_LOG_GROUP, WARM_POOL_STARTED_BY } from '#contract/index';
import { descendants } from '#harness/local-cloud';
import { poolRecords, sessionRecord, sessionTasks, waitForSession } from '#harness/system-session';
import { createShow, endShow, idleController, poolRecordGone, poolTaskGone, warmPoolCloud } from '#test/support/warm-pool';

const pool = warmPoolCloud({ hostPrefix: 'host-pool' });

/** The log streams that carry lines of a session (one per controller task that served it). */
async function streamsServing(sessionId: string): Promise<Set<string>> {
  const page = await pool.aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` }));
  return new Set((page.events ?? []).filter((e) => e.message?.includes(`"sessionId":"${sessionId}"`)).map((e) => e.logStreamName ?? ''));
}

const taskIdOf = (arn: string) => arn.split('/').pop() ?? '';

describe('The warm pool of controllers', () => {
  it('keeps one idle controller, its page loaded, started by the pool', async () => {
    const idle = await idleController(pool.aws);
    const { tasks } = await pool.aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: [idle.taskArn] }));
    expect(tasks?.[0]?.startedBy).toBe(WARM_POOL_STARTED_BY);
    expect(Date.parse(idle.seenAt!)).toBeGreaterThanOrEqual(Date.parse(idle.startedAt));
    expect(pool.cloud.output()).toMatch(/Warm pool\s+1 idle controller kept ready/);
  }, 120_000);

  it('two shows started at once with one warm controller: one claims it, the other runs a new task, each served by its own, both LIVE; the pool refills', async () => {
    const warm = await idleController(pool.aws);
    expect((await poolRecords(pool.aws)).filter((r) => r.state === 'IDLE' || r.state === 'STARTING')).toHaveLength(1);
    const api = await pool.newHost();
    const ids = (await Promise.all(['Show A', 'Show B'].map((title) => createShow(api, title)))).map((show) => show.sessionId);
    await Promise.all(ids.map((id) => waitForSession(api, id, (s) => s.status === 'LIVE', 120_000, 'the session to go LIVE', true)));

    const recorded = await Promise.all(ids.map(async (id) => (await sessionRecord(pool.aws.dynamodb, id))!.taskArn!));
    expect(new Set(recorded).size).toBe(2);
    const claimer = recorded.indexOf(warm.taskArn);
    expect(claimer).toBeGreaterThanOrEqual(0);
    const other = 1 - claimer;
    // The other show's controller is a task run for it.
    const [ownTask] = await sessionTasks(pool.aws.ecs, ids[other]!);
    expect(ownTask?.taskArn).toBe(recorded[other]);
    // The warm one went to one session, by its claim.
    const claimed = (await poolRecords(pool.aws)).find((r) => r.taskArn === warm.taskArn);
    expect(claimed).toMatchObject({ state: 'CLAIMED', assignment: { sessionId: ids[claimer], generation: 0 } });
    // Neither controller serves both: each session's lines come from its own task's log stream only.
    for (const [i, id] of ids.entries()) {
      const streams = [...(await streamsServing(id))];
      expect(streams.length, `${id} log streams`).toBe(1);
      expect(streams[0]).toContain(taskIdOf(recorded[i]!));
    }
    // The claim is replaced: a new idle controller.
    const refilled = await idleController(pool.aws, [warm.taskArn]);
    expect(refilled.taskArn).not.toBe(warm.taskArn);
    expect(Date.parse(refilled.startedAt)).toBeGreaterThanOrEqual(Date.parse(claimed!.claimedAt!));

    await Promise.all(ids.map((id) => endShow(api, id)));
    // Claimed controllers go with their session.
    await poolTaskGone(pool.aws, warm.taskArn, 60_000, 'the claimed controller to stop');
    expect(await sessionTasks(pool.aws.ecs, ids[other]!)).toEqual([]);
  }, 300_000);

  it('a warm controller that dies idle is never claimed: the show gets another, and the pool replaces it', async () => {
    const doomed = await idleController(pool.aws);
    const { tasks } = await pool.aws.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: [doomed.taskArn] }));
    const pid = Number(tasks?.[0]?.containers?.[0]?.runtimeId);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const api = await pool.newHost();
    const { sessionId } = await createShow(api, 'After a death');
    await waitForSession(api, sessionId, (s) => s.status === 'LIVE', 120_000, 'the session to go LIVE', true);
    expect((await sessionRecord(pool.aws.dynamodb, sessionId))!.taskArn).not.toBe(doomed.taskArn);

    const replacement = await idleController(pool.aws, [doomed.taskArn]);
    expect(replacement.taskArn).not.toBe(doomed.taskArn);
    await poolRecordGone(pool.aws, doomed.taskArn, 90_000, "the dead controller's record to go");
    await endShow(api, sessionId);
  }, 300_000);

  it('a warm controller ECS stops is replaced, and nothing of it is left running', async () => {
    const stopped = await idleController(pool.aws);
    await pool.aws.ecs.send(new StopTaskCommand({ cluster: CLUSTER_NAME, task: stopped.taskArn, reason: 'test: stopped by ECS' }));
    const replacement = await idleController(pool.aws, [stopped.taskArn]);
    expect(replacement.taskArn).not.toBe(stopped.taskArn);
    await poolTaskGone(pool.aws, stopped.taskArn, 60_000, 'the stopped controller to be gone');
    await poolRecordGone(pool.aws, stopped.taskArn, 60_000, 'its record to go');
  }, 240_000);

  it('Ctrl-C stops the pool with everything else: no controller left running', async () => {
    await idleController(pool.aws);
    const running = pool.take();
    const pid = running.process.pid!;
    const code = await running.stop();
    expect(code, running.output().slice(-4000)).toBe(0);
    expect(descendants(pid)).toEqual([]);
  }, 120_000);
});
