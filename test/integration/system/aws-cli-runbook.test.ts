/**
 * The seed's runbook, run with both AWS CLIs of the machine (the pip CLI v1 first on PATH, and Debian's v2.9 at
 * /usr/bin/aws) against the local cloud with `--endpoint-url`, during a real session started through the API:
 * the state machine, the execution and its history, the controller task, the session's queue and the DLQ, and
 * the controller's logs. Then the session ends through the API, and the CLIs see its queue and task gone.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_NAME,
  COMMAND_DLQ_NAME,
  COMMAND_QUEUE_PREFIX,
  CONTROLLER_LOG_GROUP,
  STATE_MACHINE_NAME,
  commandQueueName,
} from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { hostApi } from '#harness/system-session';
import { awsJson, CLI_TEST_OPTIONS, runAws, runAwsAsDocumented, type CliVersion } from '../local-cloud/gateway/aws-cli.ts';

const CLIS: readonly CliVersion[] = ['v1', 'v2'];

/**
 * The variables a document tells a CLI user to set: the first `AWS_ACCESS_KEY_ID=… AWS_…=…` run of
 * assignments in it (an `export` line or a backticked one) after `section` (a heading), if given.
 */
function documentedEnvironment(path: string, section = ''): Record<string, string> {
  const text = readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
  const from = text.indexOf(section);
  if (from < 0) throw new Error(`${path} has no "${section}"`);
  const line = /AWS_ACCESS_KEY_ID=\S+(?: AWS_[A-Z_]+=[^\s`]+)*/.exec(text.slice(from));
  if (!line) throw new Error(`${path} tells no one which AWS variables to set`);
  return Object.fromEntries(line[0].split(' ').map((pair) => pair.split('=') as [string, string]));
}

let cloud: RunningLocalCloud;
let token: string;
let sessionId: string;
let executionArn: string;

/** Calls the local API as the host. */
const api = (method: string, path: string, body?: unknown) => hostApi(() => cloud, token)(method, path, body);

/** The session's status as GET /sessions/{id} reports it. */
async function sessionStatus(): Promise<string> {
  return String((await api('GET', `/sessions/${sessionId}`)).body.status);
}

/** `aws <args>` with one CLI, parsed as JSON. */
const aws = <T = Record<string, unknown>>(cli: CliVersion, args: string[]) => awsJson<T>(cli, cloud.awsEndpoint, args);

interface HistoryEvent {
  id: number;
  type: string;
  stateEnteredEventDetails?: { name: string };
}

beforeAll(async () => {
  // Both CLIs must be there: a missing one fails here with the way to install it.
  for (const cli of CLIS) {
    const version = await runAws(cli, 'http://127.0.0.1:9', ['--version']);
    expect(`${version.stdout}${version.stderr}`, `aws ${cli} --version`).toMatch(cli === 'v1' ? /aws-cli\/1\./ : /aws-cli\/2\./);
  }
  cloud = await startLocalCloud();
  token = await localToken(cloud.dataDir, 'host-runbook');
  const created = await api('POST', '/sessions', { title: 'Runbook' });
  expect(created.status).toBe(202);
  sessionId = created.body.sessionId as string;
  executionArn = created.body.executionArn as string;
  await eventually(
    async () => {
      const status = await sessionStatus();
      if (status === 'FAILED' || status === 'ENDED') throw new Error(`the session is ${status}:\n${cloud.output()}`);
      return status === 'LIVE' ? true : undefined;
    },
    90_000,
    'the session to go LIVE',
  );
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
}, 60_000);

describe('The runbook with both AWS CLIs during a live session', CLI_TEST_OPTIONS, () => {
  it.each(CLIS)('aws %s stepfunctions list-state-machines shows our state machine', async (cli) => {
    const out = await aws<{ stateMachines: { name: string; stateMachineArn: string; type: string }[] }>(cli, ['stepfunctions', 'list-state-machines']);
    const ours = out.stateMachines.filter((m) => m.name === STATE_MACHINE_NAME);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.type).toBe('STANDARD');
    expect(executionArn.startsWith(ours[0]!.stateMachineArn.replace(':stateMachine:', ':execution:'))).toBe(true);
  });

  it.each(CLIS)('aws %s stepfunctions describe-execution shows the session RUNNING, named by its id', async (cli) => {
    const out = await aws(cli, ['stepfunctions', 'describe-execution', '--execution-arn', executionArn]);
    expect(out.status).toBe('RUNNING');
    expect(out.name).toBe(sessionId);
    expect(out.executionArn).toBe(executionArn);
    expect(JSON.parse(String(out.input))).toMatchObject({ sessionId });
  });

  it.each(CLIS)('aws %s stepfunctions get-execution-history shows CreateStage to OnAir with AWS event types', async (cli) => {
    const out = await aws<{ events: HistoryEvent[] }>(cli, ['stepfunctions', 'get-execution-history', '--execution-arn', executionArn]);
    const entered = out.events.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir']);
    const types = new Set(out.events.map((e) => e.type));
    for (const type of ['ExecutionStarted', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited']) {
      expect(types, type).toContain(type);
    }
    expect(out.events[0]!.type).toBe('ExecutionStarted');
    expect(out.events.map((e) => e.id)).toEqual(out.events.map((_e, i) => i + 1));
  });

  // The pip CLI v1 reads the region from AWS_DEFAULT_REGION only (AWS_REGION is the SDKs'): a line with
  // AWS_REGION alone left it asking for a region. Run as a reader of each document would, nothing else set.
  const documents = [['README.md', ''], ['docs/runbook.md', ''], ['docs/local-cloud.md', '### The AWS CLIs']] as const;
  it.each(CLIS.flatMap((cli) => documents.map(([doc, section]) => [cli, doc, section] as const)))(
    'aws %s works with the variables %s sets, and nothing else',
    async (cli, doc, section) => {
      const env = documentedEnvironment(doc, section);
      const result = await runAwsAsDocumented(cli, ['--endpoint-url', cloud.awsEndpoint, '--output', 'json', 'stepfunctions', 'list-state-machines'], env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const names = (JSON.parse(result.stdout) as { stateMachines: { name: string }[] }).stateMachines.map((m) => m.name);
      expect(names).toContain(STATE_MACHINE_NAME);
    },
  );

  it.each(CLIS)('aws %s ecs list-tasks --cluster shelcaster-cluster shows one task', async (cli) => {
    const out = await aws<{ taskArns: string[] }>(cli, ['ecs', 'list-tasks', '--cluster', CLUSTER_NAME]);
    expect(out.taskArns).toHaveLength(1);
    expect(out.taskArns[0]).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:\\d{12}:task/${CLUSTER_NAME}/[0-9a-f]+$`));
    const described = await aws<{ tasks: { lastStatus: string; startedBy: string }[] }>(cli, [
      'ecs', 'describe-tasks', '--cluster', CLUSTER_NAME, '--tasks', out.taskArns[0]!,
    ]);
    expect(described.tasks[0]).toMatchObject({ lastStatus: 'RUNNING', startedBy: sessionId });
  });

  it.each(CLIS)('aws %s sqs list-queues --queue-name-prefix shows the session queue and the DLQ', async (cli) => {
    const out = await aws<{ QueueUrls: string[] }>(cli, ['sqs', 'list-queues', '--queue-name-prefix', COMMAND_QUEUE_PREFIX]);
    const names = out.QueueUrls.map((url) => url.slice(url.lastIndexOf('/') + 1)).sort();
    expect(names).toEqual([commandQueueName(sessionId), COMMAND_DLQ_NAME].sort());
  });

  it.each(CLIS)('aws %s sqs receive-message on the DLQ answers nothing, without an error', async (cli) => {
    const { QueueUrl } = await aws<{ QueueUrl: string }>(cli, ['sqs', 'get-queue-url', '--queue-name', COMMAND_DLQ_NAME]);
    const result = await runAws(cli, cloud.awsEndpoint, ['sqs', 'receive-message', '--queue-url', QueueUrl, '--wait-time-seconds', '1']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const parsed = result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as { Messages?: unknown[] });
    expect(parsed.Messages ?? []).toEqual([]);
  });

  it('aws v2 logs tail /ecs/shelcaster-program-controller prints the controller lines of this session', async () => {
    const result = await runAws('v2', cloud.awsEndpoint, ['logs', 'tail', CONTROLLER_LOG_GROUP, '--since', '30m']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.includes(sessionId));
    expect(lines.length).toBeGreaterThan(0);
    // `aws logs tail` prints `<timestamp> <stream> <message>`; streams are `<prefix>/<container>/<task id>`.
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00 controller\/program-controller\/[0-9a-f]+ /);
  });

  it.each(CLIS)('aws %s logs filter-log-events finds the controller lines of this session', async (cli) => {
    const out = await aws<{ events: { logStreamName: string; message: string; eventId: string; timestamp: number }[] }>(cli, [
      'logs', 'filter-log-events', '--log-group-name', CONTROLLER_LOG_GROUP, '--filter-pattern', `"${sessionId}"`,
    ]);
    expect(out.events.length).toBeGreaterThan(0);
    for (const event of out.events) {
      expect(event.message).toContain(sessionId);
      expect(event.logStreamName).toMatch(/^controller\/program-controller\/[0-9a-f]+$/);
      expect(event.eventId).toEqual(expect.any(String));
    }
  });

  it('after DELETE /sessions/{id}, both CLIs see the session queue gone and no task running', async () => {
    const ended = await api('DELETE', `/sessions/${sessionId}`);
    expect(ended.status).toBe(202);
    await eventually(async () => ((await sessionStatus()) === 'ENDED' ? true : undefined), 60_000, 'the session to end');
    for (const cli of CLIS) {
      const execution = await aws(cli, ['stepfunctions', 'describe-execution', '--execution-arn', executionArn]);
      expect(execution.status).toBe('SUCCEEDED');
      await eventually(
        async () => ((await aws<{ taskArns: string[] }>(cli, ['ecs', 'list-tasks', '--cluster', CLUSTER_NAME])).taskArns.length === 0 ? true : undefined),
        20_000,
        `aws ${cli}: no running task`,
      );
      const queues = await aws<{ QueueUrls?: string[] }>(cli, ['sqs', 'list-queues', '--queue-name-prefix', COMMAND_QUEUE_PREFIX]);
      expect((queues.QueueUrls ?? []).map((url) => url.slice(url.lastIndexOf('/') + 1))).toEqual([COMMAND_DLQ_NAME]);
      const missing = await runAws(cli, cloud.awsEndpoint, ['sqs', 'get-queue-url', '--queue-name', commandQueueName(sessionId)]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/NonExistentQueue|QueueDoesNotExist/);
    }
  }, 120_000);
});
