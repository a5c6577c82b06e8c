import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WARM_POOL_PARTITION, WARM_POOL_STARTED_BY } from '#contract/index';
import { GetExecutionHistoryCommand, SFNClient, SendTaskFailureCommand, type GetExecutionHistoryCommandOutput } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { handler } from '../../../../functions/events/controller-stopped.ts';
import type { StoppedTaskDetail } from '#commons/actions/controller-stopped';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import stoppedEvent from '../../../fixtures/events/ecs-task-stopped.json' with { type: 'json' };
import onAirHistory from '../../../fixtures/events/execution-history-on-air.json' with { type: 'json' };
import lambdaRunningHistory from '../../../fixtures/events/execution-history-lambda-running.json' with { type: 'json' };
import { EXECUTION_ARN, QUEUE_URL, SESSION_ID, STAGE_ARN, TASK_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const lambda = mockClient(LambdaClient);

const event = (detail: Partial<StoppedTaskDetail> = {}) => {
  const copy = structuredClone(stoppedEvent) as unknown as EventBridgeEvent<'ECS Task State Change', StoppedTaskDetail>;
  Object.assign(copy.detail, detail);
  return copy;
};

beforeEach(() => {
  documents.reset();
  sfn.reset();
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  documents.on(GetCommand).resolves({ Item: sessionItem({ taskArn: TASK_ARN }) });
  sfn.on(GetExecutionHistoryCommand).resolves(onAirHistory as unknown as GetExecutionHistoryCommandOutput);
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('Function: controller-stopped', () => {
  it("fails the open callback with Shelcaster.ControllerStopped when the session's current task stops", async () => {
    const outcome = await handler(event(), lambdaContext);

    expect(outcome).toEqual({ action: 'failed-callback', callback: 'ON_AIR' });
    expect(sfn).toReceiveCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION_ARN, reverseOrder: true });
    expect(sfn).toReceiveCommandWith(SendTaskFailureCommand, {
      error: 'Shelcaster.ControllerStopped',
      cause: 'Controller task stopped: Essential container in task exited',
      taskToken: expect.stringMatching(/^AQCE/),
    });
  });

  it('ignores a task that is no longer the current one (already replaced)', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/newer' }) });

    const outcome = await handler(event(), lambdaContext);

    expect(outcome).toMatchObject({ action: 'ignored', why: 'not the current controller task' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a session the host is ending', { endRequested: true }],
    ['an ended session', { status: 'ENDED' as const }],
  ])('ignores the stop of %s', async (_case, overrides) => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ taskArn: TASK_ARN, ...overrides }) });

    expect((await handler(event(), lambdaContext)).action).toBe('ignored');
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('ignores a task not started for a session, without reading the table', async () => {
    expect((await handler(event({ startedBy: 'ecs-svc/1234567890' }), lambdaContext)).action).toBe('ignored');
    expect(documents).not.toHaveReceivedAnyCommand();
  });

  it('does nothing when no callback is open (a Lambda step is running)', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(lambdaRunningHistory as unknown as GetExecutionHistoryCommandOutput);

    expect(await handler(event(), lambdaContext)).toEqual({ action: 'no-open-callback' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('is idempotent and order-proof: a repeated or late stop never fails the callback of a later controller', async () => {
    // The first delivery fails ON_AIR; the state machine replaces the task and opens the replacement's READY.
    // A second delivery of the same stop (EventBridge delivers at least once, in any order) that read the
    // session before the new task was recorded must leave that READY alone.
    const stopped = event();
    const stoppedAt = Date.parse((stopped.detail as { stoppedAt: string }).stoppedAt);
    const replacementReady = structuredClone(onAirHistory) as unknown as GetExecutionHistoryCommandOutput;
    const scheduled = replacementReady.events!.find((e) => e.type === 'TaskScheduled')!;
    scheduled.timestamp = new Date(stoppedAt + 4000);
    scheduled.taskScheduledEventDetails!.parameters = scheduled.taskScheduledEventDetails!.parameters!.replace('ON_AIR', 'READY');
    for (const e of replacementReady.events!) if (e.type !== 'TaskScheduled' && new Date(e.timestamp!).getTime() > stoppedAt) e.timestamp = new Date(stoppedAt + 4000);
    sfn.on(GetExecutionHistoryCommand).resolves(replacementReady);

    const outcome = await handler(stopped, lambdaContext);

    expect(outcome).toMatchObject({ action: 'ignored', why: expect.stringContaining('after the task stopped') });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('answers a repeated stop of the callback it already failed as nothing open (a stale token)', async () => {
    sfn.on(SendTaskFailureCommand).resolvesOnce({}).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));

    expect(await handler(event(), lambdaContext)).toEqual({ action: 'failed-callback', callback: 'ON_AIR' });
    expect(await handler(event(), lambdaContext)).toEqual({ action: 'no-open-callback' });
  });

  describe('of a warm-pool controller', () => {
    const poolKey = { pk: WARM_POOL_PARTITION, sk: `TASK#${TASK_ARN}` };

    it('stopped while idle: forgets it (never claimed dead) and asks for a refill', async () => {
      documents.on(GetCommand, { Key: poolKey }).resolves({ Item: { ...poolKey, taskArn: TASK_ARN, state: 'IDLE', startedAt: new Date().toISOString() } });

      const outcome = await handler(event({ startedBy: WARM_POOL_STARTED_BY }), lambdaContext);

      expect(outcome).toEqual({ action: 'pool-controller-gone' });
      expect(documents).toReceiveCommandWith(DeleteCommand, { Key: poolKey });
      expect(lambda).toReceiveCommandWith(InvokeCommand, { FunctionName: 'shelcaster-warm-pool', InvocationType: 'Event', Payload: JSON.stringify({ reason: 'controller-stopped' }) });
      expect(sfn).not.toHaveReceivedAnyCommand();
    });

    it("claimed: fails its session's open callback, as for a task run for the session", async () => {
      const assignment = { sessionId: SESSION_ID, stageArn: STAGE_ARN, queueUrl: QUEUE_URL, generation: 0 };
      documents.on(GetCommand, { Key: poolKey }).resolves({ Item: { ...poolKey, taskArn: TASK_ARN, state: 'CLAIMED', startedAt: new Date().toISOString(), assignment } });

      const outcome = await handler(event({ startedBy: WARM_POOL_STARTED_BY }), lambdaContext);

      expect(outcome).toEqual({ action: 'failed-callback', callback: 'ON_AIR' });
      expect(lambda).not.toHaveReceivedAnyCommand();
    });
  });
});
