import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CreateStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_MAX_RECEIVE_COUNT, commandQueueName, SESSION_TAG_KEY } from '#contract/index';
import { handler } from '../../../../functions/steps/create-stage.ts';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { TEST_ENV } from '../support/env.ts';
import { QUEUE_URL, SESSION_ID, STAGE_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ivs = mockClient(IVSRealTimeClient);
const sqs = mockClient(SQSClient);

/** The session as the table holds it, changed by each UpdateCommand the step sends. */
let stored: Record<string, unknown>;

beforeEach(() => {
  documents.reset();
  ivs.reset();
  sqs.reset();
  stored = sessionItem({ status: 'STARTING', stageArn: undefined, queueUrl: undefined, taskArn: undefined });
  documents.on(GetCommand).callsFake(() => ({ Item: { ...stored } }));
  documents.on(UpdateCommand).callsFake((input: { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> }) => {
    for (const [alias, name] of Object.entries(input.ExpressionAttributeNames)) {
      if (alias.startsWith('#f')) stored[name] = input.ExpressionAttributeValues[`:${alias.slice(1)}`];
    }
    return { Attributes: { ...stored } };
  });
  ivs.on(CreateStageCommand).resolves({ stage: { arn: STAGE_ARN, name: `shelcaster-${SESSION_ID}` } });
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: QUEUE_URL });
});

describe('Step: create-stage', () => {
  it('creates the tagged stage and the FIFO queue with its dead-letter redrive, and records both', async () => {
    const output = await handler({ sessionId: SESSION_ID }, lambdaContext);

    expect(output).toEqual({ stageArn: STAGE_ARN, queueUrl: QUEUE_URL });
    expect(ivs).toReceiveCommandWith(CreateStageCommand, { name: `shelcaster-${SESSION_ID}`, tags: { [SESSION_TAG_KEY]: SESSION_ID } });
    expect(sqs).toReceiveCommandWith(CreateQueueCommand, {
      QueueName: commandQueueName(SESSION_ID),
      Attributes: expect.objectContaining({
        FifoQueue: 'true',
        ContentBasedDeduplication: 'false',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: TEST_ENV.COMMAND_DLQ_ARN, maxReceiveCount: COMMAND_MAX_RECEIVE_COUNT }),
      }),
    });
    expect(stored).toMatchObject({ stageArn: STAGE_ARN, queueUrl: QUEUE_URL });
  });

  it('run twice, creates one stage and answers the same', async () => {
    const first = await handler({ sessionId: SESSION_ID }, lambdaContext);
    const second = await handler({ sessionId: SESSION_ID }, lambdaContext);

    expect(second).toEqual(first);
    expect(ivs).toHaveReceivedCommandTimes(CreateStageCommand, 1);
    expect(sqs).toHaveReceivedCommandTimes(CreateQueueCommand, 2);
  });

  it('rethrows a throttled call as Shelcaster.Transient so the state machine retries it', async () => {
    ivs.on(CreateStageCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } }));

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.Transient' });
  });

  it('lets a non-transient error through under its own name', async () => {
    ivs.on(CreateStageCommand).rejects(Object.assign(new Error('Quota reached'), { name: 'ServiceQuotaExceededException', $metadata: { httpStatusCode: 402 } }));

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'ServiceQuotaExceededException' });
  });

  it('throws Shelcaster.SessionEnded when the host already asked to end', async () => {
    stored.endRequested = true;

    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.SessionEnded' });
    expect(ivs).not.toHaveReceivedAnyCommand();
  });

  it('refuses an input without a valid session id', async () => {
    await expect(handler({ sessionId: 'nope' }, lambdaContext)).rejects.toMatchObject({ name: 'StepFailedError' });
    expect(documents).not.toHaveReceivedAnyCommand();
  });
});
