import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { LambdaProvider } from '#local-cloud/services/lambda/provider';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { TEST_CREDENTIALS } from '#test/fixtures/local-cloud/test-credentials';

const GREETER = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/greeter.ts', import.meta.url));

describe('Lambda through the SDK v3 client', () => {
  const logs = new RecordingLogSink();
  const provider = new LambdaProvider({ logs });
  let gateway: Gateway;
  let client: LambdaClient;

  beforeAll(async () => {
    provider.register({ functionName: 'greeter', entry: GREETER, environment: { GREETING: 'Hi' }, timeoutSeconds: 10, memoryMiB: 128 });
    gateway = await startGateway({ port: 0, providers: [provider] });
    client = new LambdaClient({ endpoint: gateway.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  });
  afterAll(async () => {
    client.destroy();
    await gateway.close();
  });

  it('invokes a function and returns its JSON result', async () => {
    const answer = await client.send(new InvokeCommand({ FunctionName: 'greeter', Payload: JSON.stringify({ name: 'Ada' }) }));
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBeUndefined();
    expect(answer.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(Buffer.from(answer.Payload!).toString())).toMatchObject({ greeting: 'Hi, Ada', functionName: 'greeter' });
  });

  it('reports a handler error with X-Amz-Function-Error and the error document', async () => {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: 'greeter', Payload: JSON.stringify({ name: 'Bob', fail: true }), LogType: 'Tail' }),
    );
    expect(answer.FunctionError).toBe('Unhandled');
    const document = JSON.parse(Buffer.from(answer.Payload!).toString()) as { errorType: string; errorMessage: string; trace: string[] };
    expect(document).toMatchObject({ errorType: 'GreetingRefusedError', errorMessage: 'refusing to greet Bob' });
    expect(Array.isArray(document.trace)).toBe(true);
    const tail = Buffer.from(answer.LogResult!, 'base64').toString();
    expect(tail).toMatch(/^START RequestId: /);
    expect(tail).toContain('\tERROR\tInvoke Error \t{"errorType":"GreetingRefusedError"');
    expect(tail).toMatch(/REPORT RequestId: .*\n$/);
  });

  it('accepts an Event invocation with 202', async () => {
    const answer = await client.send(new InvokeCommand({ FunctionName: 'greeter', InvocationType: 'Event', Payload: '{"name":"later"}' }));
    expect(answer.StatusCode).toBe(202);
    await provider.drain();
    expect(logs.messages('/aws/lambda/greeter').some((line) => line.includes('greeting later'))).toBe(true);
  });

  it('describes and lists registered functions', async () => {
    const fn = await client.send(new GetFunctionCommand({ FunctionName: 'greeter' }));
    expect(fn.Configuration).toMatchObject({
      FunctionName: 'greeter',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:greeter',
      Timeout: 10,
      MemorySize: 128,
      Handler: 'greeter.handler',
      Environment: { Variables: { GREETING: 'Hi' } },
      State: 'Active',
    });
    const list = await client.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['greeter']);
  });

  it('answers ResourceNotFoundException for an unknown function', async () => {
    const failure = await client.send(new InvokeCommand({ FunctionName: 'nobody' })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResourceNotFoundException);
    expect((failure as Error).message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody');
    expect((failure as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
  });

  it('answers InvalidRequestContentException for a payload that is not JSON', async () => {
    const failure = await client.send(new InvokeCommand({ FunctionName: 'greeter', Payload: 'not json' })).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('InvalidRequestContentException');
  });
});
