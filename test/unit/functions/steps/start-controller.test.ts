import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CONTROLLER_CONTAINER_NAME } from '#contract/index';
import { handler } from '../../../../functions/steps/start-controller.ts';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { QUEUE_URL, SESSION_ID, STAGE_ARN, TASK_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);

const NEW_TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/aaaabbbbccccddddeeeeffff00001111';

beforeEach(() => {
  documents.reset();
  ecs.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'STARTING', taskArn: undefined }) });
  documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ taskArn: NEW_TASK_ARN }) });
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: NEW_TASK_ARN }], failures: [] });
  ecs.on(StopTaskCommand).resolves({});
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
});
