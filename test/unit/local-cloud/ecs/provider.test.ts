import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent, EventPublisher } from '#local-cloud/gateway/internal';
import { EcsProvider } from '#local-cloud/services/ecs/provider';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { jsonCall } from '#test/fixtures/local-cloud/json-call';
import { alive } from '#test/support/process-alive';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/local-cloud/ecs/', import.meta.url));
const IMAGES = {
  'well-behaved:latest': { entryPoint: [process.execPath, 'well-behaved-container.mjs'], command: ['default-arg'], cwd: FIXTURES },
  'stubborn:latest': { entryPoint: [process.execPath, 'stubborn-container.mjs'], cwd: FIXTURES, environment: { IMAGE_ENV: '1' } },
};
const LOG_GROUP = '/ecs/test-family';

class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(event: BusEvent): Promise<void> {
    this.events.push(event);
  }
  statuses(taskArn: string): string[] {
    return this.events
      .filter((event) => event.detail.taskArn === taskArn)
      .map((event) => `${String(event.detail.lastStatus)}/${String(event.detail.desiredStatus)}`);
  }
}

function containerDefinition(image: string, extra: object = {}) {
  return {
    name: 'main',
    image,
    essential: true,
    environment: [{ name: 'GREETING', value: 'from-definition' }],
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': LOG_GROUP, 'awslogs-stream-prefix': 'test', 'awslogs-region': 'us-east-1' } },
    ...extra,
  };
}

describe('EcsProvider', () => {
  const providers: EcsProvider[] = [];
  const directories: string[] = [];
  afterEach(async () => {
    for (const provider of providers.splice(0)) {
      const closing = provider.close();
      await closing;
    }
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  async function start(options: { dataDir?: string } = {}) {
    const logs = new RecordingLogSink();
    const events = new RecordingPublisher();
    const clock = new ManualClock(Date.now());
    const provider = new EcsProvider({ images: IMAGES, logs, events, clock, cloudEnvironment: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, ...options });
    providers.push(provider);
    await jsonCall(provider, 'CreateCluster', { clusterName: 'test-cluster' });
    await jsonCall(provider, 'RegisterTaskDefinition', {
      family: 'test-family',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [containerDefinition('well-behaved:latest')],
    });
    await jsonCall(provider, 'RegisterTaskDefinition', {
      family: 'stubborn-family',
      containerDefinitions: [containerDefinition('stubborn:latest', { stopTimeout: 2 })],
    });
    return { provider, logs, events, clock };
  }

  async function runTask(provider: EcsProvider, body: object = {}) {
    const answer = await jsonCall(provider, 'RunTask', { cluster: 'test-cluster', taskDefinition: 'test-family', launchType: 'FARGATE', ...body });
    expect(answer.status).toBe(200);
    return (answer.body.tasks as { taskArn: string; lastStatus: string }[])[0]!;
  }

  async function describe1(provider: EcsProvider, taskArn: string) {
    const answer = await jsonCall(provider, 'DescribeTasks', { cluster: 'test-cluster', tasks: [taskArn] });
    return (answer.body.tasks as Record<string, unknown>[])[0] as {
      lastStatus: string;
      desiredStatus: string;
      stopCode?: string;
      stoppedReason?: string;
      group: string;
      startedBy?: string;
      containers: { name: string; lastStatus: string; exitCode?: number; runtimeId?: string }[];
      createdAt: number;
      startedAt?: number;
      stoppedAt?: number;
    };
  }

  async function until(provider: EcsProvider, taskArn: string, status: string) {
    await expect.poll(async () => (await describe1(provider, taskArn)).lastStatus, { timeout: 10_000 }).toBe(status);
    return describe1(provider, taskArn);
  }

  it('runs a task as a local process with the definition, the overrides and the metadata endpoint', async () => {
    const { provider, logs } = await start();
    const created = await runTask(provider, {
      startedBy: 'session-1',
      overrides: { containerOverrides: [{ name: 'main', command: ['one', 'two'], environment: [{ name: 'GREETING', value: 'overridden' }] }] },
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
    });
    expect(created.lastStatus).toBe('PROVISIONING');
    expect(created.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/test-cluster\/[0-9a-f]{32}$/);
    const task = await until(provider, created.taskArn, 'RUNNING');
    expect(task).toMatchObject({ desiredStatus: 'RUNNING', group: 'family:test-family', startedBy: 'session-1' });
    const pid = Number(task.containers[0]!.runtimeId);
    expect(alive(pid)).toBe(true);
    const taskId = created.taskArn.split('/').pop();
    const stream = `test/main/${taskId}`;
    await expect.poll(() => logs.messages(LOG_GROUP, stream)).toContain(`started overridden task=${created.taskArn} args=one,two`);
    expect(logs.messages(LOG_GROUP, stream)).toContain('a line on stderr');
  });

  it('stops a task with SIGTERM and reports STOPPED with the exit code, publishing each change', async () => {
    const { provider, events, logs } = await start();
    const { taskArn } = await runTask(provider);
    await until(provider, taskArn, 'RUNNING');
    await expect.poll(() => logs.messages(LOG_GROUP).some((line) => line.startsWith('started'))).toBe(true);
    const stopped = await jsonCall(provider, 'StopTask', { cluster: 'test-cluster', task: taskArn, reason: 'host ended the show' });
    expect(stopped.body.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'host ended the show' });
    const task = await until(provider, taskArn, 'STOPPED');
    expect(task.containers[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 0 });
    expect(task.stoppedAt).toBeGreaterThanOrEqual(task.startedAt!);
    await expect.poll(() => logs.messages(LOG_GROUP)).toContain('received SIGTERM, exiting');
    expect(events.statuses(taskArn)).toEqual(['PROVISIONING/RUNNING', 'PENDING/RUNNING', 'RUNNING/RUNNING', 'RUNNING/STOPPED', 'STOPPED/STOPPED']);
    const last = events.events.at(-1)!;
    expect(last).toMatchObject({ source: 'aws.ecs', detailType: 'ECS Task State Change', resources: [taskArn] });
    expect(last.detail).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/test-cluster',
      group: 'family:test-family',
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      containers: [{ name: 'main', lastStatus: 'STOPPED', exitCode: 0 }],
    });
    expect(typeof last.detail.stoppedAt).toBe('string');
  });

  it('gives each task a private TMPDIR, as a container has its own /tmp, and removes it when the task stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ecs-scratch-test-'));
    directories.push(dataDir);
    const { provider, logs } = await start({ dataDir });
    const first = await runTask(provider);
    const second = await runTask(provider);
    const tmpOf = async (taskArn: string) => {
      const stream = `test/main/${taskArn.split('/').pop()}`;
      await expect.poll(() => logs.messages(LOG_GROUP, stream).some((line) => line.startsWith('tmpdir='))).toBe(true);
      return logs.messages(LOG_GROUP, stream).find((line) => line.startsWith('tmpdir='))!.slice('tmpdir='.length);
    };
    const [firstTmp, secondTmp] = [await tmpOf(first.taskArn), await tmpOf(second.taskArn)];
    expect(firstTmp).not.toBe(secondTmp);
    expect(firstTmp).not.toBe(tmpdir());
    expect(existsSync(join(firstTmp, 'scratch.txt'))).toBe(true);
    await jsonCall(provider, 'StopTask', { cluster: 'test-cluster', task: first.taskArn });
    await until(provider, first.taskArn, 'STOPPED');
    await expect.poll(() => existsSync(firstTmp)).toBe(false);
    expect(existsSync(join(secondTmp, 'scratch.txt'))).toBe(true);
  });

  it('kills a container that ignores SIGTERM, and everything it started, after its stopTimeout', async () => {
    const { provider, logs, clock } = await start();
    const { taskArn } = await runTask(provider, { taskDefinition: 'stubborn-family' });
    const running = await until(provider, taskArn, 'RUNNING');
    const pid = Number(running.containers[0]!.runtimeId);
    await expect.poll(() => logs.messages(LOG_GROUP).some((line) => line.startsWith('stubborn child='))).toBe(true);
    const grandchild = Number(logs.messages(LOG_GROUP).find((line) => line.startsWith('stubborn child='))!.split('=')[1]);
    await jsonCall(provider, 'StopTask', { cluster: 'test-cluster', task: taskArn });
    await expect.poll(() => logs.messages(LOG_GROUP)).toContain('ignoring SIGTERM');
    expect(clock.pendingDelays).toEqual([2000]);
    expect((await describe1(provider, taskArn)).lastStatus).toBe('RUNNING');
    await clock.runAll();
    const task = await until(provider, taskArn, 'STOPPED');
    expect(task).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
    expect(task.containers[0]!.exitCode).toBe(137);
    await expect.poll(() => alive(pid) || alive(grandchild)).toBe(false);
  });

  it('stops the task when its essential container exits by itself', async () => {
    const { provider } = await start();
    const { taskArn } = await runTask(provider, { overrides: { containerOverrides: [{ name: 'main', environment: [{ name: 'EXIT_AFTER_START', value: '3' }] }] } });
    const task = await until(provider, taskArn, 'STOPPED');
    expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(task.containers[0]).toMatchObject({ exitCode: 3, lastStatus: 'STOPPED' });
  });

  it('fails a task whose image is not in the image map', async () => {
    const { provider } = await start();
    await jsonCall(provider, 'RegisterTaskDefinition', { family: 'ghost', containerDefinitions: [{ name: 'main', image: 'ghost:1' }] });
    const { taskArn } = await runTask(provider, { taskDefinition: 'ghost:1' });
    const task = await until(provider, taskArn, 'STOPPED');
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: .*ghost:1/);
  });

  it('lists tasks by family, startedBy and desired status', async () => {
    const { provider } = await start();
    const a = await runTask(provider, { startedBy: 'a' });
    const b = await runTask(provider, { startedBy: 'b' });
    await until(provider, a.taskArn, 'RUNNING');
    await until(provider, b.taskArn, 'RUNNING');
    const list = async (body: object) => (await jsonCall(provider, 'ListTasks', { cluster: 'test-cluster', ...body })).body.taskArns;
    expect(await list({ family: 'test-family' })).toEqual([a.taskArn, b.taskArn]);
    expect(await list({ startedBy: 'b' })).toEqual([b.taskArn]);
    await jsonCall(provider, 'StopTask', { cluster: 'test-cluster', task: a.taskArn });
    expect(await list({})).toEqual([b.taskArn]);
    expect(await list({ desiredStatus: 'STOPPED' })).toEqual([a.taskArn]);
  });

  it('answers ECS error shapes for bad requests', async () => {
    const { provider } = await start();
    expect(await jsonCall(provider, 'ListTasks', { cluster: 'nope' })).toMatchObject({ status: 400, body: { __type: 'ClusterNotFoundException' } });
    expect(await jsonCall(provider, 'RunTask', { cluster: 'test-cluster', taskDefinition: 'nope' })).toMatchObject({ body: { __type: 'ClientException' } });
    expect(
      await jsonCall(provider, 'RunTask', { cluster: 'test-cluster', taskDefinition: 'test-family', overrides: { containerOverrides: [{ name: 'other' }] } }),
    ).toMatchObject({ body: { __type: 'InvalidParameterException' } });
    expect(await jsonCall(provider, 'StopTask', { cluster: 'test-cluster', task: 'f'.repeat(32) })).toMatchObject({ body: { __type: 'InvalidParameterException' } });
    expect((await jsonCall(provider, 'DescribeTasks', { cluster: 'test-cluster', tasks: ['abc'] })).body).toEqual({ tasks: [], failures: [{ arn: 'abc', reason: 'MISSING' }] });
  });

  it("answers a repeated RunTask's clientToken with the first request's task, per cluster, for 24 hours, as ECS does", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ecs-token-'));
    directories.push(dataDir);
    const { provider } = await start({ dataDir });
    const first = await runTask(provider, { clientToken: 'session-1-0', startedBy: 'session-1' });
    const again = await runTask(provider, { startedBy: 'session-1', clientToken: 'session-1-0' });
    expect(again.taskArn).toBe(first.taskArn);
    const listed = await jsonCall(provider, 'ListTasks', { cluster: 'test-cluster', startedBy: 'session-1' });
    expect(listed.body.taskArns).toEqual([first.taskArn]);

    expect(await jsonCall(provider, 'RunTask', { cluster: 'test-cluster', taskDefinition: 'test-family', launchType: 'FARGATE', startedBy: 'other', clientToken: 'session-1-0' })).toMatchObject({
      status: 400,
      body: { __type: 'ConflictException' },
    });
    expect(await jsonCall(provider, 'RunTask', { cluster: 'test-cluster', taskDefinition: 'test-family', clientToken: 'x'.repeat(65) })).toMatchObject({
      body: { __type: 'InvalidParameterException' },
    });
    // The token survives a restart of the local cloud (a retried RunTask may come after one).
    await provider.close();
    const restarted = await start({ dataDir });
    expect((await runTask(restarted.provider, { clientToken: 'session-1-0', startedBy: 'session-1' })).taskArn).toBe(first.taskArn);

    await restarted.clock.advance(24 * 60 * 60 * 1000);
    expect((await runTask(restarted.provider, { clientToken: 'session-1-0', startedBy: 'session-1' })).taskArn).not.toBe(first.taskArn);
  });

  it('registers task definition revisions and describes the latest by family', async () => {
    const { provider } = await start();
    await jsonCall(provider, 'RegisterTaskDefinition', { family: 'test-family', containerDefinitions: [containerDefinition('well-behaved:latest')] });
    const described = await jsonCall(provider, 'DescribeTaskDefinition', { taskDefinition: 'test-family' });
    expect(described.body.taskDefinition).toMatchObject({ family: 'test-family', revision: 2, status: 'ACTIVE' });
    const listed = await jsonCall(provider, 'ListTaskDefinitions', { familyPrefix: 'test' });
    expect(listed.body.taskDefinitionArns).toEqual([
      'arn:aws:ecs:us-east-1:000000000000:task-definition/test-family:1',
      'arn:aws:ecs:us-east-1:000000000000:task-definition/test-family:2',
    ]);
  });

  it('stops every task on close, SIGKILL included, leaving no process behind', async () => {
    const { provider, clock } = await start();
    const polite = await runTask(provider);
    const stubborn = await runTask(provider, { taskDefinition: 'stubborn-family' });
    const pids = [
      Number((await until(provider, polite.taskArn, 'RUNNING')).containers[0]!.runtimeId),
      Number((await until(provider, stubborn.taskArn, 'RUNNING')).containers[0]!.runtimeId),
    ];
    providers.splice(providers.indexOf(provider), 1);
    const closing = provider.close();
    await expect.poll(() => clock.pendingDelays.length).toBeGreaterThan(0);
    await clock.runAll();
    await closing;
    expect(pids.map(alive)).toEqual([false, false]);
  });

  it('keeps tasks across a restart and reports the lost ones STOPPED, killing leftovers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ecs-'));
    directories.push(dataDir);
    const first = await start({ dataDir });
    const { taskArn } = await runTask(first.provider);
    const pid = Number((await until(first.provider, taskArn, 'RUNNING')).containers[0]!.runtimeId);
    // A second provider on the same data, as after a crash of the first: the task's process cannot be adopted.
    const second = await start({ dataDir });
    second.provider.recoverAfterRestart();
    const task = await describe1(second.provider, taskArn);
    expect(task).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(task.stoppedReason).toMatch(/local cloud restarted/);
    expect(second.events.statuses(taskArn)).toEqual(['STOPPED/STOPPED']);
    await expect.poll(() => alive(pid)).toBe(false);
  });

  it('settles a previous run’s tasks on the first task call, not on a deployment’s cluster and task definition calls', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ecs-'));
    directories.push(dataDir);
    const first = await start({ dataDir });
    const { taskArn } = await runTask(first.provider);
    await until(first.provider, taskArn, 'RUNNING');
    // start() creates the cluster and registers task definitions, as the deployer does before the rules' targets exist.
    const second = await start({ dataDir });
    expect(second.events.statuses(taskArn)).toEqual([]);
    expect(await describe1(second.provider, taskArn)).toMatchObject({ lastStatus: 'STOPPED' });
    expect(second.events.statuses(taskArn)).toEqual(['STOPPED/STOPPED']);
  });
});
