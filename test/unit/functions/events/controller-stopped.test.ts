import '../support/env.ts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { WARM_POOL_PARTITION, WARM_POOL_STARTED_BY } from '#contract/index';
import { GetExecutionHistoryCommand, SFNClient, SendTaskFailureCommand, type GetExecutionHistoryCommandOutput } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { handler } from '../../../../functions/events/controller-stopped.ts';
import { controllerStopped, type StoppedTaskDetail } from '#commons/actions/controller-stopped';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import stoppedEvent from '../../../fixtures/events/ecs-task-stopped.json' with { type: 'json' };
import onAirHistory from '../../../fixtures/events/execution-history-on-air.json' with { type: 'json' };
import lambdaRunningHistory from '../../../fixtures/events/execution-history-lambda-running.json' with { type: 'json' };
import waitingForReadyHistory from '../../../fixtures/events/execution-history-waiting-for-ready.json' with { type: 'json' };
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

  const REPLACEMENT_TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/replacement';
  const history = (fixture: unknown) => fixture as GetExecutionHistoryCommandOutput;
  /** Three looks, no real waiting. */
  const quickWait = () => ({ attempts: 3, delayMs: 500, sleep: vi.fn(async () => {}) });

  it('looks again while no callback is open (a Lambda step is running), then gives up without failing anything', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(lambdaRunningHistory));
    const wait = quickWait();

    expect(await controllerStopped(event().detail, wait)).toEqual({ action: 'no-open-callback' });
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 3);
    expect(wait.sleep).toHaveBeenCalledTimes(2);
    expect(wait.sleep).toHaveBeenCalledWith(500);
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('a task that stopped before its READY opened (StartController was ending): fails that READY once it opens', async () => {
    sfn.on(GetExecutionHistoryCommand).resolvesOnce(history(lambdaRunningHistory)).resolves(history(waitingForReadyHistory));
    const wait = quickWait();

    expect(await controllerStopped(event().detail, wait)).toEqual({ action: 'failed-callback', callback: 'READY' });
    expect(wait.sleep).toHaveBeenCalledTimes(1);
    expect(sfn).toReceiveCommandWith(SendTaskFailureCommand, { error: 'Shelcaster.ControllerStopped' });
  });

  it('stops looking once the session names another task (the state machine replaced it meanwhile)', async () => {
    documents.on(GetCommand).resolvesOnce({ Item: sessionItem({ taskArn: TASK_ARN }) }).resolves({ Item: sessionItem({ taskArn: REPLACEMENT_TASK_ARN }) });
    sfn.on(GetExecutionHistoryCommand).resolves(history(lambdaRunningHistory));
    const wait = quickWait();

    expect(await controllerStopped(event().detail, wait)).toMatchObject({ action: 'ignored', why: 'not the current controller task' });
    expect(wait.sleep).not.toHaveBeenCalled();
  });

  it('is idempotent and order-proof: a repeated or late stop never fails the callback of a later controller', async () => {
    // The first delivery failed ON_AIR; the state machine recorded a replacement and opened its READY. A second
    // delivery of the same stop (EventBridge delivers at least once, in any order) that read the session before
    // the replacement was recorded finds that READY open: the session, read again after the look, names the
    // replacement, so the READY is left alone.
    documents.on(GetCommand).resolvesOnce({ Item: sessionItem({ taskArn: TASK_ARN }) }).resolves({ Item: sessionItem({ taskArn: REPLACEMENT_TASK_ARN }) });
    sfn.on(GetExecutionHistoryCommand).resolves(history(waitingForReadyHistory));

    const outcome = await handler(event(), lambdaContext);

    expect(outcome).toMatchObject({ action: 'ignored', why: 'not the current controller task' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('answers a repeated stop of the callback it already failed as nothing open (a stale token), looking again each time', async () => {
    sfn.on(SendTaskFailureCommand).resolvesOnce({}).rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));

    expect(await controllerStopped(event().detail, quickWait())).toEqual({ action: 'failed-callback', callback: 'ON_AIR' });
    expect(await controllerStopped(event().detail, quickWait())).toEqual({ action: 'no-open-callback' });
    expect(sfn).toHaveReceivedCommandTimes(SendTaskFailureCommand, 4);
  });

  it('throws an error other than a stale token (the event is retried)', async () => {
    sfn.on(SendTaskFailureCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(controllerStopped(event().detail, quickWait())).rejects.toThrow('Rate exceeded');
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
