import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '#harness/eventually';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createLogsProvider, type LogsProvider } from '#local-cloud/services/logs/provider';
import { awsJson, CLI_TEST_OPTIONS, CLI_V2_PATH, runAws, type CliVersion } from '../gateway/aws-cli.ts';

let gateway: Gateway;
let provider: LogsProvider;
let logs: CloudWatchLogsClient;
let dataDir: string;
const GROUP = '/ecs/shelcaster-program-controller';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'logs-fidelity-'));
  provider = createLogsProvider({ dataDir });
  gateway = await startGateway({ port: 0, providers: [provider] });
  logs = new CloudWatchLogsClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const now = Date.now();
  provider.append(GROUP, 'controller/program-controller/task-1', [
    { timestamp: now - 3000, message: 'controller started' },
    { timestamp: now - 1000, message: 'joined stage "main" as publisher' },
  ]);
  provider.append(GROUP, 'controller/program-controller/task-2', [{ timestamp: now - 2000, message: 'controller started again' }]);
});

afterAll(async () => {
  logs.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('CloudWatch Logs through the SDK v3', () => {
  it('creates a group and stream, puts events and reads them back', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/shelcaster-go-live' }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/shelcaster-go-live', retentionInDays: 30 }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/shelcaster-go-live', logStreamName: 's1' }));
    const t = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/lambda/shelcaster-go-live',
        logStreamName: 's1',
        logEvents: [
          { timestamp: t, message: 'START' },
          { timestamp: t + 1, message: 'END' },
        ],
      }),
    );
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/shelcaster-go-live', logStreamName: 's1', startFromHead: true }));
    expect(got.events?.map((e) => e.message)).toEqual(['START', 'END']);
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    expect(groups.logGroups?.[0]).toMatchObject({ logGroupName: '/aws/lambda/shelcaster-go-live', retentionInDays: 30 });
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/shelcaster-go-live' }));
    expect(streams.logStreams?.[0]).toMatchObject({ logStreamName: 's1', firstEventTimestamp: t, lastEventTimestamp: t + 1 });
  });

  it('filters interleaved events across streams by a term, with event ids', async () => {
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'started', interleaved: true }));
    expect(events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['controller/program-controller/task-1', 'controller started'],
      ['controller/program-controller/task-2', 'controller started again'],
    ]);
    expect(new Set(events?.map((e) => e.eventId)).size).toBe(2);
    expect(events?.every((e) => typeof e.ingestionTime === 'number')).toBe(true);
  });

  it('pages FilterLogEvents with nextToken', async () => {
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 2 }));
    expect(first.events).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const second = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 2, nextToken: first.nextToken }));
    expect(second.events?.map((e) => e.message)).toEqual(['joined stage "main" as publisher']);
    expect(second.nextToken).toBeUndefined();
  });

  it('raises ResourceNotFoundException for a missing group and ResourceAlreadyExistsException for a duplicate', async () => {
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });
});

describe.each<CliVersion>(['v1', 'v2'])('CloudWatch Logs through AWS CLI %s', CLI_TEST_OPTIONS, (version) => {
  it('filter-log-events finds a quoted phrase', async () => {
    const out = await awsJson<{ events: { message: string; logStreamName: string }[] }>(version, gateway.url, [
      'logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', '"stage \\"main\\""',
    ]);
    expect(out.events.map((e) => e.message)).toEqual(['joined stage "main" as publisher']);
  });

  it('reports a missing log group as ResourceNotFoundException', async () => {
    const result = await runAws(version, gateway.url, ['logs', 'filter-log-events', '--log-group-name', '/missing']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ResourceNotFoundException');
  });
});

describe('aws logs tail (CLI v2)', CLI_TEST_OPTIONS, () => {
  it('prints the group\'s recent events with their streams', async () => {
    const result = await runAws('v2', gateway.url, ['logs', 'tail', GROUP, '--format', 'short']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((l) => l.replace(/^\S+\s+/, ''))).toEqual(['controller started', 'controller started again', 'joined stage "main" as publisher']);
  });

  it('follows the group and prints an event appended later once', async () => {
    const child = (await import('node:child_process')).spawn(
      CLI_V2_PATH,
      ['logs', 'tail', GROUP, '--follow', '--since', '1m', '--format', 'short', '--endpoint-url', gateway.url, '--region', 'us-east-1', '--no-cli-pager'],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' } },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      // The CLI's own 5 s follow interval is real time; these only observe it.
      await eventually(async () => out.includes('joined stage') || undefined, 15_000, 'the first events', 100);
      provider.append(GROUP, 'controller/program-controller/task-2', [{ timestamp: Date.now(), message: 'heartbeat sent' }]);
      await eventually(async () => out.includes('heartbeat sent') || undefined, 15_000, 'the appended event', 100);
      // One more follow round (5 s), which must not print the event again.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(out.split('\n').filter((l) => l.includes('heartbeat sent'))).toHaveLength(1);
      expect(out.split('\n').filter((l) => l.includes('joined stage'))).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
  }, 45_000);
});
