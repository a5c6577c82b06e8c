import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ECSClient, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { DeleteStageCommand, IVSRealTimeClient, ResourceNotFoundException, StopCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { DeleteQueueCommand, GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DEFAULT_EXECUTION_LIMITS, SHOW_ENDED_COMMAND_REASON, WARM_POOL_PARTITION } from '#contract/index';
import { handler } from '../../../../functions/steps/teardown.ts';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { COMPOSITION_ARN, HOST_ID, QUEUE_URL, SESSION_ID, STAGE_ARN, TASK_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const ivs = mockClient(IVSRealTimeClient);
const sqs = mockClient(SQSClient);

/** The state Teardown receives after the host ended the show during OnAir. */
const endedByHost = {
  sessionId: SESSION_ID,
  hostId: HOST_ID,
  limits: DEFAULT_EXECUTION_LIMITS,
  resources: { stageArn: STAGE_ARN, queueUrl: QUEUE_URL },
  controller: { taskArn: TASK_ARN },
  ready: {},
  onAir: { compositionArn: COMPOSITION_ARN, timeoutSeconds: 14399 },
  ended: { reason: 'ENDED_BY_HOST' },
};

const notFound = () => new ResourceNotFoundException({ message: 'Resource not found', $metadata: { httpStatusCode: 404 } });

const finishUpdate = () =>
  documents.commandCalls(UpdateCommand).find((call) => call.args[0].input.UpdateExpression?.includes('if_not_exists'))?.args[0].input;

beforeEach(() => {
  documents.reset();
  ecs.reset();
  ivs.reset();
  sqs.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: COMPOSITION_ARN, endRequested: true, status: 'ENDING' }) });
  documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ status: 'ENDED' }) });
  ivs.on(StopCompositionCommand).resolves({});
  ivs.on(DeleteStageCommand).resolves({});
  ecs.on(StopTaskCommand).resolves({ task: { taskArn: TASK_ARN } });
  ecs.on(ListTasksCommand).resolves({ taskArns: [TASK_ARN] });
  documents.on(QueryCommand).resolves({ Items: [] });
  sqs.on(DeleteQueueCommand).resolves({});
});

describe('Step: teardown', () => {
  it('stops the composition and the task, deletes the queue and the stage, and records ENDED_BY_HOST', async () => {
    const output = await handler(endedByHost, lambdaContext);

    expect(output).toEqual({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    expect(ivs).toReceiveCommandWith(StopCompositionCommand, { arn: COMPOSITION_ARN });
    expect(ecs).toReceiveCommandWith(StopTaskCommand, { cluster: 'shelcaster-cluster', task: TASK_ARN });
    expect(sqs).toReceiveCommandWith(DeleteQueueCommand, { QueueUrl: QUEUE_URL });
    expect(ivs).toReceiveCommandWith(DeleteStageCommand, { arn: STAGE_ARN });
    expect(finishUpdate()?.ExpressionAttributeValues).toMatchObject({ ':f0': 'ENDED', ':f1': 'ENDED_BY_HOST' });
  });

  it('run a second time, with everything already gone, finishes the same', async () => {
    await handler(endedByHost, lambdaContext);
    ivs.on(StopCompositionCommand).rejects(notFound());
    ivs.on(DeleteStageCommand).rejects(notFound());
    ecs.on(StopTaskCommand).rejects(Object.assign(new Error('The referenced task was not found.'), { name: 'InvalidParameterException' }));
    sqs.on(DeleteQueueCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));

    await expect(handler(endedByHost, lambdaContext)).resolves.toEqual({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
  });

  it('tries every release, throws when one failed, and records no end until a later run finishes', async () => {
    sqs.on(DeleteQueueCommand).rejectsOnce(Object.assign(new Error('Access denied'), { name: 'AccessDenied' })).resolves({});

    const failure = await handler(endedByHost, lambdaContext).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect([(failure as Error).name, (failure as Error).message]).toEqual(['TeardownIncompleteError', 'Teardown could not release: command queue']);
    expect(ivs).toHaveReceivedCommand(DeleteStageCommand);
    expect(finishUpdate()).toBeUndefined();

    await expect(handler(endedByHost, lambdaContext)).resolves.toEqual({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    expect(finishUpdate()).toBeDefined();
  });

  it("records MAX_DURATION when OnAir timed out at the show's end time, CONTROLLER_LOST when before it", async () => {
    const { ended: _ended, ...state } = endedByHost;
    // AWS records a missed heartbeat and the maximum length alike: TaskTimedOut, States.Timeout.
    const timedOut = { ...state, loss: { Error: 'States.Timeout', Cause: '' } };
    documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: COMPOSITION_ARN, endsAt: new Date(Date.now() - 1000).toISOString() }) });

    expect(await handler(timedOut, lambdaContext)).toEqual({ status: 'ENDED', reason: 'MAX_DURATION' });

    documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: COMPOSITION_ARN, endsAt: new Date(Date.now() + 3_600_000).toISOString() }) });

    expect(await handler(timedOut, lambdaContext)).toEqual({ status: 'FAILED', reason: 'CONTROLLER_LOST' });
  });

  it('records FAILED with the reason and a detail free of secrets when a step failed', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'STARTING', compositionArn: undefined, taskArn: undefined }) });
    const leaked = 'eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJl';
    const state = {
      sessionId: SESSION_ID,
      resources: { stageArn: STAGE_ARN, queueUrl: QUEUE_URL },
      error: { Error: 'ControllerTaskNotStartedError', Cause: JSON.stringify({ errorType: 'ControllerTaskNotStartedError', errorMessage: `RunTask failed ${leaked}`, trace: ['at x'] }) },
    };

    const output = await handler(state, lambdaContext);

    expect(output).toEqual({ status: 'FAILED', reason: 'STEP_FAILED' });
    const values = finishUpdate()?.ExpressionAttributeValues ?? {};
    expect(values).toMatchObject({ ':f0': 'FAILED', ':f1': 'STEP_FAILED', ':f2': expect.stringContaining('ControllerTaskNotStartedError: RunTask failed') });
    expect(JSON.stringify(values)).not.toContain(leaked);
    expect(JSON.stringify(values)).not.toContain('at x');
  });

  it('stops every task started for the session, listed by startedBy, besides the recorded one', async () => {
    const orphan = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/00000000000000000000000000000bad';
    const replaced = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/0000000000000000000000000000dead';
    ecs.on(ListTasksCommand).resolvesOnce({ taskArns: [orphan], nextToken: 'page-2' }).resolvesOnce({ taskArns: [replaced, TASK_ARN] });

    await handler(endedByHost, lambdaContext);

    expect(ecs).toReceiveCommandWith(ListTasksCommand, { cluster: 'shelcaster-cluster', startedBy: SESSION_ID, desiredStatus: 'RUNNING' });
    expect(ecs).toReceiveCommandWith(ListTasksCommand, { nextToken: 'page-2' });
    const stopped = ecs.commandCalls(StopTaskCommand).map((call) => call.args[0].input.task).sort();
    expect(stopped).toEqual([orphan, replaced, TASK_ARN].sort());
  });

  it('settles the commands still QUEUED as FAILED with a reason, after recording the end', async () => {
    const order: string[] = [];
    documents.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => {
      if (input.ExpressionAttributeValues[':pk'] === WARM_POOL_PARTITION) return { Items: [] };
      order.push('list queued');
      return { Items: [{ commandId: 'c-1' }, { commandId: 'c-2' }] };
    });
    documents.on(UpdateCommand).callsFake((input: { UpdateExpression: string; Key: { sk: string } }) => {
      order.push(input.UpdateExpression.includes('if_not_exists') ? 'record end' : input.Key.sk.startsWith('COMMAND#') ? `fail ${input.Key.sk}` : 'other');
      if (input.Key.sk === 'COMMAND#c-2') throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      return { Attributes: sessionItem({ status: 'ENDED' }) };
    });

    await handler(endedByHost, lambdaContext);

    expect(order.filter((step) => step !== 'other')).toEqual(['record end', 'list queued', 'fail COMMAND#c-1', 'fail COMMAND#c-2']);
    expect(documents).toReceiveCommandWith(QueryCommand, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :commands)',
      FilterExpression: '#status = :queued',
      ConsistentRead: true,
    });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      Key: { pk: `SESSION#${SESSION_ID}`, sk: 'COMMAND#c-1' },
      ConditionExpression: '#status = :queued',
      ExpressionAttributeValues: { ':failed': 'FAILED', ':queued': 'QUEUED', ':reason': SHOW_ENDED_COMMAND_REASON },
    });
  });

  it('finds the queue by name when the session never recorded it', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ queueUrl: undefined, stageArn: undefined, taskArn: undefined }) });
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });

    await handler({ sessionId: SESSION_ID, error: { Error: 'States.TaskFailed', Cause: 'x' } }, lambdaContext);

    expect(sqs).toReceiveCommandWith(DeleteQueueCommand, { QueueUrl: QUEUE_URL });
  });
});
