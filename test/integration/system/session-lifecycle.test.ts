/**
 * The local cloud's "done when" (issue 4), with real processes: POST /sessions answers 202, the session goes
 * LIVE with its controller running, DELETE ends it: the execution SUCCEEDED and no task, queue, stage or
 * process is left. Then Ctrl-C stops the local cloud with nothing left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IVSRealTimeClient, ListStagesCommand } from '@aws-sdk/client-ivs-realtime';
import { CLUSTER_NAME, COMMAND_DLQ_NAME, COMMAND_QUEUE_PREFIX } from '#contract/index';
import { descendants, isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { finishedExecution, hostApi } from '#harness/system-session';

let cloud: RunningLocalCloud;
let token: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  token = await localToken(cloud.dataDir, 'host-e2e');
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Calls the local API as the host. */
const api = (method: string, path: string, body?: unknown) => hostApi(() => cloud, token)(method, path, body);

describe('Local cloud: a session from start to end with real processes', () => {
  it('goes LIVE with its controller running, then ends with nothing left', async () => {
    const config = { endpoint: cloud.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const sfn = new SFNClient(config);
    const ecs = new ECSClient(config);
    const sqs = new SQSClient(config);
    const ivs = new IVSRealTimeClient(config);

    const created = await api('POST', '/sessions', { title: 'End to end' });
    expect(created.status).toBe(202);
    const sessionId = created.body.sessionId as string;
    const executionArn = created.body.executionArn as string;
    expect(created.body.status).toBe('STARTING');

    const live = await eventually(
      async () => {
        const s = await api('GET', `/sessions/${sessionId}`);
        if (s.body.status === 'FAILED' || s.body.status === 'ENDED') throw new Error(JSON.stringify(s.body));
        return s.body.status === 'LIVE' ? s.body : undefined;
      },
      60_000,
      'the session to go LIVE',
    );
    expect(live.stageArn).toMatch(/^arn:aws:ivs:/);

    const tasks = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'RUNNING' }));
    expect(tasks.taskArns).toHaveLength(1);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: tasks.taskArns }));
    const task = described.tasks?.[0];
    expect(task?.lastStatus).toBe('RUNNING');
    const pid = Number(task?.containers?.[0]?.runtimeId);
    expect(isAlive(pid)).toBe(true);
    const tree = [pid, ...descendants(pid)];

    const ended = await api('DELETE', `/sessions/${sessionId}`);
    expect(ended.status).toBe(202);

    const final = await eventually(
      async () => {
        const s = await api('GET', `/sessions/${sessionId}`);
        return s.body.status === 'ENDED' || s.body.status === 'FAILED' ? s.body : undefined;
      },
      60_000,
      'the session to end',
    );
    expect(final.status).toBe('ENDED');
    expect(final.reason).toBe('ENDED_BY_HOST');

    const execution = await finishedExecution(sfn, executionArn);
    expect(execution.status).toBe('SUCCEEDED');

    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const entered = (history.events ?? [])
      .filter((e) => e.type?.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir', 'Teardown', 'EndedOrFailed', 'SessionEnded']);

    await eventually(
      async () => {
        const running = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, desiredStatus: 'RUNNING' }));
        return running.taskArns?.length === 0 ? true : undefined;
      },
      20_000,
      'no running task',
    );
    const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: COMMAND_QUEUE_PREFIX }));
    expect((queues.QueueUrls ?? []).map((u) => u.split('/').pop())).toEqual([COMMAND_DLQ_NAME]);
    const stages = await ivs.send(new ListStagesCommand({}));
    expect(stages.stages ?? []).toEqual([]);
    await eventually(async () => (tree.every((p) => !isAlive(p)) ? true : undefined), 15_000, 'controller processes to exit');
  }, 180_000);

  it('stops everything it started on Ctrl-C', async () => {
    const created = await api('POST', '/sessions', { title: 'Left running' });
    expect(created.status).toBe(202);
    const sessionId = created.body.sessionId as string;
    await eventually(
      async () => ((await api('GET', `/sessions/${sessionId}`)).body.status === 'LIVE' ? true : undefined),
      60_000,
      'LIVE',
    );
    const tree = [cloud.process.pid!, ...descendants(cloud.process.pid!)];
    expect(tree.length).toBeGreaterThan(2);
    const code = await cloud.stop();
    expect(code).toBe(0);
    await eventually(async () => (tree.every((p) => !isAlive(p)) ? true : undefined), 20_000, 'every process to exit');
  }, 180_000);
});

describe('IAM enforcement (the synthesized template) during all of the above', () => {
  it("let every principal's calls through: the functions', the state machine's and the controller task's", () => {
    expect(cloud.output()).toContain('IAM            enforced from the synthesized template');
    expect(cloud.output()).not.toContain('[iam] AccessDenied');
  });
});
