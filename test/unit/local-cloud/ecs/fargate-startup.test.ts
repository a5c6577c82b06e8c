import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEvent, EventPublisher } from '#local-cloud/gateway/internal';
import { EcsProvider } from '#local-cloud/services/ecs/provider';
import { isAlive } from '#harness/local-cloud';
import { DEFAULT_FARGATE_STARTUP_MS, fargateStartup, fargateStartupFromEnvironment } from '#local-cloud/services/ecs/fargate-startup';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { jsonCall } from '#test/fixtures/local-cloud/json-call';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/local-cloud/ecs/', import.meta.url));
const IMAGES = { 'well-behaved:latest': { entryPoint: [process.execPath, 'well-behaved-container.mjs'], cwd: FIXTURES } };

class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(event: BusEvent): Promise<void> {
    this.events.push(event);
  }
  statuses(taskArn: string): string[] {
    return this.events.filter((event) => event.detail.taskArn === taskArn).map((event) => `${String(event.detail.lastStatus)}/${String(event.detail.desiredStatus)}`);
  }
}

interface DescribedTask {
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  containers: { lastStatus: string; runtimeId?: string }[];
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppedAt?: number;
}

describe('Fargate start-up model', () => {
  it('splits the default 30 s into provisioning (the network interface) and the image pull', () => {
    expect(DEFAULT_FARGATE_STARTUP_MS).toBe(30_000);
    expect(fargateStartup(30_000)).toEqual({ provisioningMs: 10_000, pullMs: 20_000 });
    expect(fargateStartupFromEnvironment(undefined)).toEqual({ provisioningMs: 10_000, pullMs: 20_000 });
    expect(fargateStartupFromEnvironment('0')).toBeUndefined();
    expect(fargateStartupFromEnvironment('9000')).toEqual({ provisioningMs: 3000, pullMs: 6000 });
    for (const bad of ['-1', '1.5', 'soon']) expect(() => fargateStartupFromEnvironment(bad)).toThrow(/SHELCASTER_FARGATE_STARTUP_MS must be a whole number/);
  });

  const providers: EcsProvider[] = [];
  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.close();
  });

  async function start() {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const events = new RecordingPublisher();
    const provider = new EcsProvider({ images: IMAGES, logs: new RecordingLogSink(), events, clock, fargateStartup: fargateStartup(DEFAULT_FARGATE_STARTUP_MS) });
    providers.push(provider);
    await jsonCall(provider, 'CreateCluster', { clusterName: 'c' });
    await jsonCall(provider, 'RegisterTaskDefinition', {
      family: 'f',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'main', image: 'well-behaved:latest', essential: true }],
    });
    const describe1 = async (taskArn: string) =>
      ((await jsonCall(provider, 'DescribeTasks', { cluster: 'c', tasks: [taskArn] })).body.tasks as DescribedTask[])[0]!;
    const runTask = async (launchType = 'FARGATE') =>
      ((await jsonCall(provider, 'RunTask', { cluster: 'c', taskDefinition: 'f', launchType })).body.tasks as { taskArn: string }[])[0]!.taskArn;
    return { clock, events, provider, describe1, runTask };
  }

  it('takes a FARGATE task from RunTask through PROVISIONING and PENDING to RUNNING at the times AWS would', async () => {
    const { clock, events, describe1, runTask } = await start();
    const t0 = clock.now() / 1000;
    const taskArn = await runTask();
    expect(await describe1(taskArn)).toMatchObject({ lastStatus: 'PROVISIONING', createdAt: t0 });
    await clock.advance(9_999);
    expect((await describe1(taskArn)).lastStatus).toBe('PROVISIONING');
    await clock.advance(1);
    const pending = await describe1(taskArn);
    expect(pending).toMatchObject({ lastStatus: 'PENDING', pullStartedAt: t0 + 10 });
    expect(pending.pullStoppedAt).toBeUndefined();
    expect(pending.containers[0]!.runtimeId).toBeUndefined();
    await clock.advance(20_000);
    await expect.poll(async () => (await describe1(taskArn)).lastStatus).toBe('RUNNING');
    const running = await describe1(taskArn);
    expect(running).toMatchObject({ createdAt: t0, pullStartedAt: t0 + 10, pullStoppedAt: t0 + 30, startedAt: t0 + 30 });
    expect(isAlive(Number(running.containers[0]!.runtimeId))).toBe(true);
    expect(events.statuses(taskArn)).toEqual(['PROVISIONING/RUNNING', 'PENDING/RUNNING', 'RUNNING/RUNNING']);
  });

  it('starts a task of another launch type at once', async () => {
    const { describe1, runTask } = await start();
    const taskArn = await runTask('EC2');
    await expect.poll(async () => (await describe1(taskArn)).lastStatus).toBe('RUNNING');
  });

  it('stops a task that is still provisioning or pulling without running anything', async () => {
    const { clock, events, provider, describe1, runTask } = await start();
    const provisioning = await runTask();
    const pulling = await runTask();
    await jsonCall(provider, 'StopTask', { cluster: 'c', task: provisioning, reason: 'show ended' });
    await expect.poll(async () => (await describe1(provisioning)).lastStatus).toBe('STOPPED');
    await clock.advance(10_000);
    expect((await describe1(pulling)).lastStatus).toBe('PENDING');
    await jsonCall(provider, 'StopTask', { cluster: 'c', task: pulling });
    await expect.poll(async () => (await describe1(pulling)).lastStatus).toBe('STOPPED');
    await clock.advance(60_000);
    for (const taskArn of [provisioning, pulling]) {
      const task = await describe1(taskArn);
      expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(task.startedAt).toBeUndefined();
      expect(task.containers[0]!.runtimeId).toBeUndefined();
    }
    expect(events.statuses(provisioning)).toEqual(['PROVISIONING/RUNNING', 'PROVISIONING/STOPPED', 'STOPPED/STOPPED']);
    expect(events.statuses(pulling)).toEqual(['PROVISIONING/RUNNING', 'PENDING/RUNNING', 'PENDING/STOPPED', 'STOPPED/STOPPED']);
  });

  it('closes at once with tasks still starting, leaving them STOPPED', async () => {
    const { provider, describe1, runTask } = await start();
    const taskArn = await runTask();
    await provider.close();
    expect((await describe1(taskArn)).lastStatus).toBe('STOPPED');
  });
});
