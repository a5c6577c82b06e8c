import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSdkTaskResources } from '#local-cloud/services/stepfunctions/sdk-task-resources';
import { parseResource, type JsonValue, type TaskInvocation } from '#local-cloud/services/stepfunctions/index';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const resources = createSdkTaskResources({ lambda: new LambdaClient({ region: 'us-east-1' }), sqs: new SQSClient({ region: 'us-east-1' }) });
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:shelcaster-create-stage';

function invocation(resource: string, parameters: JsonValue, taskToken?: string): TaskInvocation {
  return { resource, parsed: parseResource(resource)!, parameters, signal: new AbortController().signal, executionArn: 'arn:e', roleArn: 'arn:aws:iam::000000000000:role/sm', stateName: 'S', ...(taskToken ? { taskToken } : {}) };
}

beforeEach(() => {
  lambda.reset();
  sqs.reset();
});

describe('lambda:invoke', () => {
  it('sends the Payload as JSON and answers {Payload, StatusCode, ...}', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: Buffer.from('{"stageArn":"s"}') as never });
    const result = await resources.invoke(invocation('arn:aws:states:::lambda:invoke', { FunctionName: FN, Payload: { sessionId: 'x' } }));
    expect(result).toMatchObject({ Payload: { stageArn: 's' }, StatusCode: 200, ExecutedVersion: '$LATEST' });
    const sent = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(sent.FunctionName).toBe(FN);
    expect(Buffer.from(sent.Payload as Uint8Array).toString()).toBe('{"sessionId":"x"}');
  });

  it("turns a function error into an error named by the function's errorType, with the error document as Cause", async () => {
    const document = '{"errorType":"Shelcaster.Transient","errorMessage":"throttled","trace":[]}';
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(document) as never });
    await expect(resources.invoke(invocation('arn:aws:states:::lambda:invoke', { FunctionName: FN, Payload: {} }))).rejects.toMatchObject({
      name: 'Shelcaster.Transient',
      stateCause: document,
    });
  });

  it('names service errors Lambda.<Exception> and unreachable services Lambda.SdkClientException', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }));
    await expect(resources.invoke(invocation('arn:aws:states:::lambda:invoke', { FunctionName: FN }))).rejects.toMatchObject({ name: 'Lambda.TooManyRequestsException' });
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
    await expect(resources.invoke(invocation('arn:aws:states:::lambda:invoke', { FunctionName: FN }))).rejects.toMatchObject({ name: 'Lambda.SdkClientException' });
  });

  it('answers a bare function ARN with the payload itself', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('[1,2]') as never });
    expect(await resources.invoke(invocation(FN, { a: 1 }))).toEqual([1, 2]);
  });
});

describe('sqs:sendMessage', () => {
  it('JSON-stringifies an object MessageBody and passes the FIFO fields on', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1', MD5OfMessageBody: 'md5', SequenceNumber: '1' });
    const result = await resources.invoke(
      invocation('arn:aws:states:::sqs:sendMessage.waitForTaskToken', { QueueUrl: 'http://q', MessageGroupId: 'callbacks', MessageDeduplicationId: 'd', MessageBody: { taskToken: 't' } }, 't'),
    );
    expect(result).toMatchObject({ MessageId: 'm1', MD5OfMessageBody: 'md5', SequenceNumber: '1' });
    expect(sqs).toReceiveCommandWith(SendMessageCommand, { QueueUrl: 'http://q', MessageGroupId: 'callbacks', MessageDeduplicationId: 'd', MessageBody: '{"taskToken":"t"}' });
  });

  it('names SQS failures SQS.<Exception>, SQS.AmazonSQSException or SQS.SdkClientException', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('gone'), { name: 'QueueDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    await expect(resources.invoke(invocation('arn:aws:states:::sqs:sendMessage', { QueueUrl: 'q', MessageBody: 'x' }))).rejects.toMatchObject({ name: 'SQS.QueueDoesNotExist' });
    sqs.on(SendMessageCommand).rejects(new Error('socket hang up'));
    await expect(resources.invoke(invocation('arn:aws:states:::sqs:sendMessage', { QueueUrl: 'q', MessageBody: 'x' }))).rejects.toMatchObject({ name: 'SQS.SdkClientException' });
  });
});
