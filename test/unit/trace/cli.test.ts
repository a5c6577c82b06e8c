import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CloudWatchLogsClient, FilterLogEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { main } from '#trace/cli';
import { followExecution } from '#trace/trace-session';
import type { SessionTrace } from '#trace/trace-model';
import { loadFixture } from './fixtures.ts';

const fixture = loadFixture('controller-restarted');
const machineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:shelcaster-session-lifecycle';

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBDocumentClient);
const logs = mockClient(CloudWatchLogsClient);

function clients() {
  return {
    sfn: new SFNClient({ region: 'us-east-1' }),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
  };
}

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), clients: clients(), sleep: async () => {} });
  return { code, stdout, stderr };
}

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
  logs.reset();
  sfn
    .on(ListStateMachinesCommand)
    .resolvesOnce({ stateMachines: [{ name: 'other', stateMachineArn: 'arn:x', type: 'STANDARD', creationDate: new Date() }], nextToken: 'p2' })
    .resolves({ stateMachines: [{ name: 'shelcaster-session-lifecycle', stateMachineArn: machineArn, type: 'STANDARD', creationDate: new Date() }] });
  sfn.on(DescribeExecutionCommand).resolves({ ...fixture.execution, stateMachineArn: machineArn });
  const half = Math.floor(fixture.events.length / 2);
  sfn
    .on(GetExecutionHistoryCommand)
    .callsFake((input: { nextToken?: string }) =>
      input.nextToken ? { events: fixture.events.slice(half) } : { events: fixture.events.slice(0, half), nextToken: 'more' },
    );
  dynamodb.on(QueryCommand).resolves({ Items: [fixture.session, ...(fixture.commands ?? [])] as unknown as Record<string, unknown>[] });
  logs.on(FilterLogEventsCommand).resolves({ events: (fixture.controllerLog ?? []).map((l) => ({ ...l })) });
});

describe('Command: shelcaster trace', () => {
  it('finds the state machine by name across pages and reads the execution named after the session', async () => {
    const { code, stdout } = await run('trace', fixture.sessionId);
    expect(code).toBe(0);
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, { executionArn: `${machineArn.replace(':stateMachine:', ':execution:')}:${fixture.sessionId}` });
    expect(sfn).toReceiveCommandWith(ListStateMachinesCommand, { nextToken: 'p2' });
    expect(sfn).toReceiveCommandWith(GetExecutionHistoryCommand, { includeExecutionData: false, nextToken: 'more' });
    expect(dynamodb).toReceiveCommandWith(QueryCommand, { TableName: 'shelcaster-sessions', ExpressionAttributeValues: { ':pk': `SESSION#${fixture.sessionId}` } });
    expect(logs).toReceiveCommandWith(FilterLogEventsCommand, { logGroupName: '/ecs/shelcaster-program-controller', filterPattern: `"${fixture.sessionId}"` });
    expect(stdout).toMatch(/^\s+12\s+SessionEnded\s/m);
    expect(stdout).toContain('Controller restarts 1');
  });

  it('uses --state-machine-arn without listing state machines', async () => {
    const other = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shelcaster-session-lifecycle';
    const { code } = await run('trace', fixture.sessionId, '--state-machine-arn', other);
    expect(code).toBe(0);
    expect(sfn).not.toReceiveCommand(ListStateMachinesCommand);
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:shelcaster-session-lifecycle:${fixture.sessionId}` });
  });

  it('prints JSON that parses with --json', async () => {
    const { code, stdout } = await run('trace', fixture.sessionId, '--json');
    expect(code).toBe(0);
    const trace = JSON.parse(stdout) as SessionTrace;
    expect(trace.states.map((s) => s.name)).toContain('ReplaceController');
    expect(trace.controller.restarts).toBe(1);
  });

  it('reports unknown heartbeats when the controller log group does not exist', async () => {
    logs.on(FilterLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'no group', $metadata: {} }));
    const { code, stdout } = await run('trace', fixture.sessionId);
    expect(code).toBe(0);
    expect(stdout).toContain('Heartbeats          unknown');
  });

  it('says so and exits 1 when the session has no execution', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'nope', $metadata: {} }));
    const { code, stderr } = await run('trace', '00000000-0000-4000-8000-000000000000');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^No execution arn:aws:states:/);
  });

  it('prints its usage and exits 2 without a session id', async () => {
    const { code, stderr } = await run('trace');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: shelcaster trace <sessionId>');
  });

  it('with --follow --json prints each event as a JSON line, then the trace', async () => {
    const { code, stdout } = await run('trace', fixture.sessionId, '--follow', '--json');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event?: { id: number }; trace?: SessionTrace });
    expect(lines.filter((l) => l.event).map((l) => l.event!.id)).toEqual(fixture.events.map((e) => e.id));
    expect(lines.at(-1)!.trace!.status).toBe('SUCCEEDED');
  });
});

describe('Function: followExecution', () => {
  it('hands on each new event once, sleeping between polls, until the execution is no longer running', async () => {
    const events = fixture.events;
    const polls = [
      { status: 'RUNNING', upTo: 5 },
      { status: 'RUNNING', upTo: 5 },
      { status: 'RUNNING', upTo: 20 },
      { status: 'SUCCEEDED', upTo: events.length },
    ];
    let poll = -1;
    const seen: number[] = [];
    const sleeps: number[] = [];
    const status = await followExecution({
      readStatus: async () => polls[++poll]!.status,
      readHistory: async () => events.slice(0, polls[poll]!.upTo),
      onEvent: (event) => seen.push(event.id!),
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(status).toBe('SUCCEEDED');
    expect(seen).toEqual(events.map((e) => e.id));
    expect(sleeps).toEqual([2000, 2000, 2000]);
  });
});
