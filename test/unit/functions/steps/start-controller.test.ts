import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CONTROLLER_CONTAINER_NAME, WARM_POOL_PARTITION, type WarmControllerRecord } from '#contract/index';
import { handler } from '../../../../functions/steps/start-controller.ts';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { QUEUE_URL, SESSION_ID, STAGE_ARN, TASK_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const lambda = mockClient(LambdaClient);

const NEW_TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/aaaabbbbccccddddeeeeffff00001111';

beforeEach(() => {
  documents.reset();
  ecs.reset();
  lambda.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'STARTING', taskArn: undefined }) });
  documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ taskArn: NEW_TASK_ARN }) });
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: NEW_TASK_ARN }], failures: [] });
  ecs.on(StopTaskCommand).resolves({});
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({ tasks: input.tasks.map((taskArn) => ({ taskArn, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })) }));
});

describe('Step: start-controller', () => {
  it('runs the controller on Fargate for the session, told only its session, stage and queue', async () => {
    const output = await handler({ sessionId: SESSION_ID }, lambdaContext);

    expect(output).toEqual({ taskArn: NEW_TASK_ARN });
    expect(ecs).toReceiveCommandWith(RunTaskCommand, {
      cluster: 'shelcaster-cluster',
      taskDefinition: 'shelcaster-program-controller',
      launchType: 'FARGATE',
      startedBy: SESSION_ID,
      clientToken: `${SESSION_ID}-0`,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'ENABLED' },
      },
      overrides: {
        containerOverrides: [
          {
            name: CONTROLLER_CONTAINER_NAME,
            environment: [
              { name: 'SESSION_ID', value: SESSION_ID },
              { name: 'STAGE_ARN', value: STAGE_ARN },
              { name: 'COMMAND_QUEUE_URL', value: QUEUE_URL },
              { name: 'CONTROLLER_GENERATION', value: '0' },
            ],
          },
        ],
      },
    });
    expect(documents).toReceiveCommandWith(UpdateCommand, { ExpressionAttributeValues: expect.objectContaining({ ':f0': NEW_TASK_ARN, ':f1': 0 }) });
    expect(ecs).not.toHaveReceivedCommand(StopTaskCommand);
  });

  it('replacing a controller records the new task, then stops the previous one, with a new RunTask token', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ taskArn: TASK_ARN, controllerRestarts: 2 }) });
    const order: string[] = [];
    documents.on(UpdateCommand).callsFake(() => {
      order.push('record new task');
      return { Attributes: sessionItem({ taskArn: NEW_TASK_ARN }) };
    });
    ecs.on(StopTaskCommand).callsFake(() => {
      order.push('stop previous task');
      return {};
    });

    await handler({ sessionId: SESSION_ID }, lambdaContext);

    expect(ecs).toReceiveCommandWith(RunTaskCommand, { clientToken: `${SESSION_ID}-2` });
    expect(ecs).toReceiveCommandWith(RunTaskCommand, {
      overrides: { containerOverrides: [expect.objectContaining({ environment: expect.arrayContaining([{ name: 'CONTROLLER_GENERATION', value: '2' }]) })] },
    });
    expect(documents).toReceiveCommandWith(UpdateCommand, { ExpressionAttributeValues: expect.objectContaining({ ':f0': NEW_TASK_ARN, ':f1': 2 }) });
    expect(ecs).toReceiveCommandWith(StopTaskCommand, { cluster: 'shelcaster-cluster', task: TASK_ARN });
    expect(order).toEqual(['record new task', 'stop previous task']);
  });

  it('still succeeds when the previous task cannot be stopped', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ taskArn: TASK_ARN }) });
    ecs.on(StopTaskCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: NEW_TASK_ARN });
  });

  it('turns RunTask failures into a clear error', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no ENI capacity' }] });

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toThrow(/RESOURCE:ENI \(no ENI capacity\)/);
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('throws Shelcaster.SessionEnded and starts nothing when the host asked to end', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ endRequested: true }) });

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.SessionEnded' });
    expect(ecs).not.toHaveReceivedAnyCommand();
  });

  it('rethrows a 5xx from ECS as Shelcaster.Transient', async () => {
    ecs.on(RunTaskCommand).rejects(Object.assign(new Error('Internal'), { name: 'ServerException', $metadata: { httpStatusCode: 500 } }));

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.Transient' });
  });

  describe('with a warm pool', () => {
    const WARM_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/warm0000000000000000000000000001';
    const OTHER_WARM_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/warm0000000000000000000000000002';
    const idle = (taskArn: string, startedSecondsAgo: number): WarmControllerRecord & { pk: string; sk: string } => ({
      pk: WARM_POOL_PARTITION,
      sk: `TASK#${taskArn}`,
      taskArn,
      state: 'IDLE',
      startedAt: new Date(Date.now() - startedSecondsAgo * 1000).toISOString(),
      seenAt: new Date().toISOString(),
    });
    const isClaim = (input: { Key?: { pk?: string } }) => input.Key?.pk === WARM_POOL_PARTITION;

    it('claims an idle controller with a conditional write, hands it the session, records it, runs no task and asks for a refill', async () => {
      documents.on(QueryCommand).resolves({ Items: [idle(WARM_ARN, 60)] });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: WARM_ARN });

      expect(documents).toReceiveCommandWith(UpdateCommand, {
        Key: { pk: WARM_POOL_PARTITION, sk: `TASK#${WARM_ARN}` },
        ConditionExpression: '#state = :idle AND seenAt >= :fresh',
        ExpressionAttributeValues: expect.objectContaining({
          ':claimed': 'CLAIMED',
          ':assignment': { sessionId: SESSION_ID, stageArn: STAGE_ARN, queueUrl: QUEUE_URL, generation: 0 },
        }),
      });
      expect(documents).toReceiveCommandWith(UpdateCommand, { ExpressionAttributeValues: expect.objectContaining({ ':f0': WARM_ARN, ':f1': 0 }) });
      expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
      expect(lambda).toReceiveCommandWith(InvokeCommand, { FunctionName: 'shelcaster-warm-pool', InvocationType: 'Event', Payload: JSON.stringify({ reason: 'claimed' }) });
    });

    it('passes over a controller another start claimed first, and takes the next', async () => {
      documents.on(QueryCommand).resolves({ Items: [idle(WARM_ARN, 120), idle(OTHER_WARM_ARN, 60)] });
      documents.on(UpdateCommand).callsFake((input: { Key: { sk: string } }) => {
        if (input.Key.sk === `TASK#${WARM_ARN}`) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        return { Attributes: sessionItem({ taskArn: OTHER_WARM_ARN }) };
      });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: OTHER_WARM_ARN });
      expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
    });

    it('runs a task when every claim loses its race', async () => {
      documents.on(QueryCommand).resolves({ Items: [idle(WARM_ARN, 60)] });
      documents.on(UpdateCommand).callsFake((input: { Key: { pk?: string } }) => {
        if (isClaim(input)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
        return { Attributes: sessionItem({ taskArn: NEW_TASK_ARN }) };
      });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: NEW_TASK_ARN });
      expect(ecs).toReceiveCommandWith(RunTaskCommand, { startedBy: SESSION_ID });
      expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    });

    it('passes over a claimed controller ECS no longer runs (it died idle) and runs a task instead', async () => {
      documents.on(QueryCommand).resolves({ Items: [idle(WARM_ARN, 60)] });
      documents.on(UpdateCommand).callsFake((input: { Key: { pk?: string } }) => (isClaim(input) ? {} : { Attributes: sessionItem({ taskArn: NEW_TASK_ARN }) }));
      ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: WARM_ARN, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }] });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: NEW_TASK_ARN });
      expect(ecs).toReceiveCommandWith(RunTaskCommand, { startedBy: SESSION_ID });
      expect(documents).toReceiveCommandWith(DeleteCommand, { Key: { pk: WARM_POOL_PARTITION, sk: `TASK#${WARM_ARN}` } });
      expect(lambda).toReceiveCommandWith(InvokeCommand, { Payload: JSON.stringify({ reason: 'controller-stopped' }) });
    });

    it('passes over a claimed controller ECS stopped before the session recorded it, and runs a task that is recorded after it', async () => {
      documents.on(QueryCommand).resolves({ Items: [idle(WARM_ARN, 60)] });
      const recorded: string[] = [];
      documents.on(UpdateCommand).callsFake((input: { Key: { pk?: string }; ExpressionAttributeValues: Record<string, unknown> }) => {
        if (isClaim(input)) return {};
        recorded.push(String(input.ExpressionAttributeValues[':f0']));
        return { Attributes: sessionItem({ taskArn: recorded.at(-1) }) };
      });
      // Running when the claim is checked; stopping (desiredStatus STOPPED) once the session has recorded it.
      ecs
        .on(DescribeTasksCommand)
        .resolvesOnce({ tasks: [{ taskArn: WARM_ARN, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' }] })
        .resolves({ tasks: [{ taskArn: WARM_ARN, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }] });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: NEW_TASK_ARN });
      expect(recorded).toEqual([WARM_ARN, NEW_TASK_ARN]);
      expect(ecs).toReceiveCommandWith(RunTaskCommand, { startedBy: SESSION_ID, clientToken: `${SESSION_ID}-0` });
      expect(documents).toReceiveCommandWith(DeleteCommand, { Key: { pk: WARM_POOL_PARTITION, sk: `TASK#${WARM_ARN}` } });
      expect(lambda).toReceiveCommandWith(InvokeCommand, { Payload: JSON.stringify({ reason: 'controller-stopped' }) });
      expect(lambda).not.toReceiveCommandWith(InvokeCommand, { Payload: JSON.stringify({ reason: 'claimed' }) });
    });

    it('a retried start answers the controller it already claimed, claiming no second one', async () => {
      const claimed = { ...idle(WARM_ARN, 60), state: 'CLAIMED', assignment: { sessionId: SESSION_ID, stageArn: STAGE_ARN, queueUrl: QUEUE_URL, generation: 0 } };
      documents.on(QueryCommand).resolves({ Items: [claimed, idle(OTHER_WARM_ARN, 60)] });

      await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).resolves.toEqual({ taskArn: WARM_ARN });
      expect(documents).not.toReceiveCommandWith(UpdateCommand, { ConditionExpression: '#state = :idle AND seenAt >= :fresh' });
      expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
    });
  });
});
