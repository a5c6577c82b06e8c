/**
 * The Step Functions provider behind the local cloud's gateway, driven over HTTP by the real
 * @aws-sdk/client-sfn: the operations, their pagination, and AWS's error names.
 */
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { DEFAULT_EXECUTION_LIMITS, STATE_MACHINE_NAME } from '#contract/index';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import {
  createStepFunctionsProvider,
  type JsonValue,
  type StepFunctionsProvider,
  type TaskResources,
} from '#local-cloud/services/stepfunctions/index';
import { substitutedDefinition } from '#test/statemachine/session-harness';

const ROLE = 'arn:aws:iam::000000000000:role/shelcaster-session-lifecycle';
const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

/** Every step answers with all the fields any step's ResultSelector reads; SQS sends succeed. */
const resources: TaskResources = {
  invoke: async ({ parsed }): Promise<JsonValue> =>
    parsed.service === 'sqs'
      ? { MessageId: 'm-1', MD5OfMessageBody: 'x' }
      : {
          StatusCode: 200,
          Payload: {
            stageArn: 'arn:aws:ivs:us-east-1:000000000000:stage/s1',
            queueUrl: 'http://127.0.0.1/q.fifo',
            taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/c/t1',
            compositionArn: 'arn:aws:ivs:us-east-1:000000000000:composition/c1',
            onAirTimeoutSeconds: 600,
            endsAt: '2026-11-01T21:00:00.000Z',
            replace: false,
            restarts: 1,
            status: 'ENDED',
            reason: 'ENDED_BY_HOST',
          },
        },
};

let dataDir: string;
let provider: StepFunctionsProvider;
let gateway: Gateway;
let sfn: SFNClient;
let machineArn: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sfn-provider-'));
  provider = createStepFunctionsProvider({ dataDir, clock: new ManualClock(), resources });
  gateway = await startGateway({ port: 0, providers: [provider] });
  sfn = new SFNClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const created = await sfn.send(new CreateStateMachineCommand({ name: STATE_MACHINE_NAME, definition: substitutedDefinition(), roleArn: ROLE }));
  machineArn = created.stateMachineArn!;
});

afterAll(async () => {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const rejection = (promise: Promise<unknown>) => promise.then(() => ({ name: 'no error' }), (error: { name: string }) => error);

/** Starts a session execution and returns its ARN once it waits for READY. */
async function startSession(name: string): Promise<string> {
  const input = JSON.stringify({ sessionId: name, hostId: 'h', limits: DEFAULT_EXECUTION_LIMITS });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input }));
  await provider.engine.whenIdle();
  return executionArn!;
}

/** The open callback's token, found as the end-session function finds it: in the last TaskScheduled. */
async function openToken(executionArn: string): Promise<string> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 20 }));
  const scheduled = events!.find((e) => e.type === 'TaskScheduled')!;
  return (JSON.parse(scheduled.taskScheduledEventDetails!.parameters!) as { MessageBody: { taskToken: string } }).MessageBody.taskToken;
}

describe('state machines', () => {
  it('creates, describes and lists a state machine with the ARN AWS forms', async () => {
    expect(machineArn).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_NAME}`);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }));
    expect(described).toMatchObject({ name: STATE_MACHINE_NAME, status: 'ACTIVE', type: 'STANDARD', roleArn: ROLE, definition: substitutedDefinition() });
    expect(described.creationDate).toBeInstanceOf(Date);
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines!.map((m) => m.stateMachineArn)).toContain(machineArn);
  });

  it('is idempotent for the same definition and refuses another one under the same name', async () => {
    const again = await sfn.send(new CreateStateMachineCommand({ name: STATE_MACHINE_NAME, definition: substitutedDefinition(), roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(machineArn);
    expect(await rejection(sfn.send(new CreateStateMachineCommand({ name: STATE_MACHINE_NAME, definition: PASS, roleArn: ROLE })))).toMatchObject({
      name: 'StateMachineAlreadyExists',
    });
  });

  it('refuses invalid definitions and names, and updates a definition', async () => {
    const invalid = await rejection(sfn.send(new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"X","States":{}}', roleArn: ROLE })));
    expect(invalid).toMatchObject({ name: 'InvalidDefinition' });
    expect(await rejection(sfn.send(new CreateStateMachineCommand({ name: 'has space', definition: PASS, roleArn: ROLE })))).toMatchObject({ name: 'InvalidName' });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'updatable', definition: PASS, roleArn: ROLE }));
    const changed = JSON.stringify({ StartAt: 'S', States: { S: { Type: 'Succeed' } } });
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: changed }));
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).toBe(changed);
  });
});

describe('executions', () => {
  it('runs the session lifecycle through its callbacks with SendTaskHeartbeat and SendTaskSuccess', async () => {
    const executionArn = await startSession('11111111-1111-4111-8111-111111111111');
    expect(executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:${STATE_MACHINE_NAME}:11111111-1111-4111-8111-111111111111`);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: await openToken(executionArn), output: '{}' }));
    await provider.engine.whenIdle();
    const onAir = await openToken(executionArn);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: onAir }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: onAir, output: JSON.stringify({ reason: 'ENDED_BY_HOST' }) }));
    await provider.engine.whenIdle();

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: '11111111-1111-4111-8111-111111111111', stateMachineArn: machineArn });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output!)).toMatchObject({ ended: { reason: 'ENDED_BY_HOST' }, teardown: { status: 'ENDED' } });

    expect(await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: onAir, output: '{}' })))).toMatchObject({ name: 'TaskTimedOut' });
  });

  it('pages the history forwards and backwards, with or without execution data', async () => {
    const executionArn = await startSession('22222222-2222-4222-8222-222222222222');
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3 }));
    expect(first.events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled']);
    expect(first.events![0]!.timestamp).toBeInstanceOf(Date);
    const rest = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 100, nextToken: first.nextToken }));
    expect(rest.events![0]!.id).toBe(4);
    expect(rest.nextToken).toBeUndefined();
    const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(reversed.events![0]!.id).toBe(first.events!.length + rest.events!.length);
    const withoutData = await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(withoutData.events![0]!.executionStartedEventDetails!.input).toBeUndefined();
    expect(withoutData.events![1]!.stateEnteredEventDetails).toEqual({ name: 'CreateStage' });
  });

  it('lists executions newest first, filtered by status and paged', async () => {
    const running = await startSession('33333333-3333-4333-8333-333333333333');
    await sfn.send(new StopExecutionCommand({ executionArn: running, error: 'Stopped', cause: 'by the test' }));
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((e) => e.executionArn)).toEqual([running]);
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 1 }));
    expect(page.executions).toHaveLength(1);
    const next = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 1, nextToken: page.nextToken }));
    expect(next.executions![0]!.executionArn).not.toBe(page.executions![0]!.executionArn);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: running }))).status).toBe('ABORTED');
  });

  it('starts idempotently for the same name and input, and refuses a different input', async () => {
    const name = '44444444-4444-4444-8444-444444444444';
    const input = JSON.stringify({ sessionId: name, hostId: 'h', limits: DEFAULT_EXECUTION_LIMITS });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect(await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name, input: '{}' })))).toMatchObject({ name: 'ExecutionAlreadyExists' });
    const failed = await sfn.send(new SendTaskFailureCommand({ taskToken: await openToken(first.executionArn!), error: 'Shelcaster.SessionEnded', cause: 'host' }));
    expect(failed.$metadata.httpStatusCode).toBe(200);
  });
});

describe('errors', () => {
  it('answers with the error names AWS uses', async () => {
    const missingExecution = `arn:aws:states:us-east-1:000000000000:execution:${STATE_MACHINE_NAME}:nope`;
    expect(await rejection(sfn.send(new DescribeExecutionCommand({ executionArn: missingExecution })))).toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect(await rejection(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:nope' })))).toMatchObject({ name: 'InvalidArn' });
    expect(
      await rejection(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:missing' }))),
    ).toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'garbage' })))).toMatchObject({ name: 'InvalidToken' });
    expect(await rejection(sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: 'not json' })))).toMatchObject({ name: 'InvalidExecutionInput' });
    expect(await rejection(sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, nextToken: '!!' })))).toMatchObject({ name: 'InvalidToken' });
  });

  it('answers ValidationException for a missing required field', async () => {
    const response = await provider.handle({
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: { 'x-amz-target': 'AWSStepFunctions.DescribeExecution', 'content-type': 'application/x-amz-json-1.0' },
      body: Buffer.from('{}'),
      region: 'us-east-1',
      url: new URL('http://127.0.0.1/'),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(String(response.body))).toMatchObject({ __type: 'ValidationException' });
  });
});
