import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  ClusterNotFoundException,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { controllerStoppedPattern } from '#contract/functions';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { LambdaProvider } from '#local-cloud/services/lambda/provider';
import { EventsProvider } from '#local-cloud/services/events/provider';
import { EcsProvider } from '#local-cloud/services/ecs/provider';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { TEST_CREDENTIALS } from '#test/fixtures/local-cloud/test-credentials';
import { alive } from '#test/support/process-alive';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/local-cloud/', import.meta.url));
const CLUSTER = 'it-cluster';
const FAMILY = 'it-controller';
const LOG_GROUP = `/ecs/${FAMILY}`;
const RECORDER = 'it-controller-stopped';

describe('ECS tasks through the SDK v3 clients, with their STOPPED event delivered to a Lambda target', () => {
  const logs = new RecordingLogSink();
  const clock = new ManualClock(Date.now());
  let lambda: LambdaProvider;
  let events: EventsProvider;
  let ecs: EcsProvider;
  let gateway: Gateway;
  let client: ECSClient;
  let bus: EventBridgeClient;
  let clusterArn: string;

  beforeAll(async () => {
    lambda = new LambdaProvider({ logs });
    lambda.register({ functionName: RECORDER, entry: `${FIXTURES}lambda/event-recorder.ts`, environment: {}, timeoutSeconds: 10, memoryMiB: 128 });
    events = new EventsProvider({ invoker: lambda });
    ecs = new EcsProvider({
      logs,
      events,
      clock,
      images: {
        'controller:local': { entryPoint: [process.execPath, 'well-behaved-container.mjs'], cwd: `${FIXTURES}ecs` },
        'stubborn:local': { entryPoint: [process.execPath, 'stubborn-container.mjs'], cwd: `${FIXTURES}ecs` },
      },
    });
    gateway = await startGateway({ port: 0, providers: [ecs, events, lambda] });
    const config = { endpoint: gateway.url, region: 'us-east-1', credentials: TEST_CREDENTIALS };
    client = new ECSClient(config);
    bus = new EventBridgeClient(config);
    clusterArn = (await client.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
    const logConfiguration = { logDriver: 'awslogs' as const, options: { 'awslogs-group': LOG_GROUP, 'awslogs-stream-prefix': 'controller' } };
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        cpu: '512',
        memory: '1024',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'program-controller', image: 'controller:local', essential: true, stopTimeout: 10, logConfiguration }],
      }),
    );
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'it-stubborn',
        containerDefinitions: [{ name: 'stubborn', image: 'stubborn:local', stopTimeout: 2, logConfiguration }],
      }),
    );
    await bus.send(new PutRuleCommand({ Name: 'it-controller-stopped', EventPattern: JSON.stringify(controllerStoppedPattern(clusterArn, FAMILY)) }));
    await bus.send(
      new PutTargetsCommand({ Rule: 'it-controller-stopped', Targets: [{ Id: 'recorder', Arn: `arn:aws:lambda:us-east-1:000000000000:function:${RECORDER}` }] }),
    );
  });

  afterAll(async () => {
    client.destroy();
    bus.destroy();
    await gateway.close();
  });

  async function describeTask(taskArn: string) {
    return (await client.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!;
  }

  async function waitForStatus(taskArn: string, status: string) {
    await expect.poll(async () => (await describeTask(taskArn)).lastStatus, { timeout: 10_000 }).toBe(status);
    return describeTask(taskArn);
  }

  function recordedEvents(): { detail: Record<string, unknown> }[] {
    return logs
      .messages(`/aws/lambda/${RECORDER}`)
      .map((line) => /\tINFO\tEVENT (.*)$/s.exec(line)?.[1])
      .filter((json): json is string => json !== undefined)
      .map((json) => JSON.parse(json) as { detail: Record<string, unknown> });
  }

  it('runs the controller as a process, stops it, and delivers only its STOPPED event to the rule’s function', async () => {
    const run = await client.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: FAMILY,
        launchType: 'FARGATE',
        startedBy: 'session-42',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'], assignPublicIp: 'ENABLED' } },
        overrides: { containerOverrides: [{ name: 'program-controller', environment: [{ name: 'GREETING', value: 'hello' }] }] },
      }),
    );
    const taskArn = run.tasks![0]!.taskArn!;
    const running = await waitForStatus(taskArn, 'RUNNING');
    expect(running.group).toBe(`family:${FAMILY}`);
    expect(running.createdAt).toBeInstanceOf(Date);
    const pid = Number(running.containers![0]!.runtimeId);
    expect(alive(pid)).toBe(true);
    expect((await client.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'session-42' }))).taskArns).toEqual([taskArn]);

    const stream = `controller/program-controller/${taskArn.split('/').pop()}`;
    await expect.poll(() => logs.messages(LOG_GROUP, stream)).toContain(`started hello task=${taskArn} args=`);

    await client.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: 'ended by host' }));
    const stopped = await waitForStatus(taskArn, 'STOPPED');
    expect(stopped).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'ended by host' });
    expect(stopped.containers![0]).toMatchObject({ exitCode: 0, lastStatus: 'STOPPED', runtimeId: String(pid) });
    expect(stopped.stoppedAt).toBeInstanceOf(Date);
    await expect.poll(() => alive(pid)).toBe(false);

    await events.drain();
    await lambda.drain();
    const delivered = recordedEvents();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      resources: [taskArn],
      detail: { taskArn, clusterArn, lastStatus: 'STOPPED', startedBy: 'session-42', group: `family:${FAMILY}`, stoppedReason: 'ended by host' },
    });
  });

  it('answers ClusterNotFoundException for an unknown cluster', async () => {
    await expect(client.send(new ListTasksCommand({ cluster: 'nope' }))).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it('leaves nothing running after close, even a container that ignores SIGTERM', async () => {
    const polite = (await client.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY }))).tasks![0]!.taskArn!;
    const stubborn = (await client.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'it-stubborn' }))).tasks![0]!.taskArn!;
    const pids = [
      Number((await waitForStatus(polite, 'RUNNING')).containers![0]!.runtimeId),
      Number((await waitForStatus(stubborn, 'RUNNING')).containers![0]!.runtimeId),
    ];
    await expect.poll(() => logs.messages(LOG_GROUP).some((line) => line.startsWith('stubborn child='))).toBe(true);
    const grandchild = Number(logs.messages(LOG_GROUP).find((line) => line.startsWith('stubborn child='))!.split('=')[1]);
    const closing = ecs.close();
    await expect.poll(() => clock.pendingDelays).toContain(2000);
    expect(alive(pids[1]!)).toBe(true);
    await clock.runAll();
    await closing;
    await expect.poll(() => [...pids, grandchild].map(alive)).toEqual([false, false, false]);
    await events.drain();
    await lambda.drain();
    expect(recordedEvents().filter((event) => event.detail.taskArn === polite)).toHaveLength(1);
  });
});
