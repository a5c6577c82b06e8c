/**
 * The faults' `killCaller` (local-cloud/gateway/faults.ts) with a real execution environment: a function
 * whose SendMessage a fault matches dies at that call, as a crashed Lambda (its invocation fails with
 * Runtime.ExitError), the message never reaches the queue, the fault is spent, and the function's next
 * invocation (a fresh environment) sends. Requests no function signed pass a killCaller fault untouched.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FaultInjector } from '#local-cloud/gateway/faults';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { PrincipalRegistry } from '#local-cloud/iam/principals';
import { LambdaProvider } from '#local-cloud/services/lambda/provider';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { TEST_CREDENTIALS } from '#test/fixtures/local-cloud/test-credentials';

const SENDER = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/queue-sender.ts', import.meta.url));

const faults = new FaultInjector();
const principals = new PrincipalRegistry('000000000000');
const logs = new RecordingLogSink();
let gateway: Gateway;
let lambda: LambdaProvider;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  gateway = await startGateway({ port: 0, providers: [], faults, accessKeys: principals });
  lambda = new LambdaProvider({
    logs,
    cloudEnvironment: { AWS_ENDPOINT_URL: gateway.url, AWS_REGION: 'us-east-1' },
    // Each environment signs with role credentials of its own, as on Lambda: that is how a fault knows it.
    roleCredentials: (roleArn, sessionName) => principals.issue(roleArn, sessionName),
  });
  gateway.addProvider(createSqsProvider());
  gateway.addProvider(lambda);
  faults.setFunctionHost(lambda);
  lambda.register({ functionName: 'sender', entry: SENDER, environment: {}, timeoutSeconds: 30, memoryMiB: 128 });
  sqs = new SQSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  ({ QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: 'killed-caller' })));
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await lambda?.close();
  await gateway?.close();
});

const messagesInQueue = async () =>
  Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);

describe('Fault: killCaller', () => {
  it('kills the function at its SendMessage as a crash, sends nothing, and is spent after one kill', async () => {
    faults.add([{ service: 'sqs', operation: 'SendMessage', killCaller: { functionName: 'sender' } }]);
    // The operator's own SendMessage is signed by no function: it passes.
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'operator' }));
    expect(faults.list()).toHaveLength(1);

    const crashed = await lambda.invoke('sender', { queueUrl, body: 'first' });

    expect(crashed.functionError).toBe('Unhandled');
    expect(crashed.payload).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error/) });
    expect(await messagesInQueue()).toBe(1);
    expect(faults.list()).toEqual([]);
    expect(logs.messages('/aws/lambda/sender').some((line) => /REPORT RequestId: .*Status: error\tError Type: Runtime.ExitError/.test(line))).toBe(true);

    const retried = await lambda.invoke('sender', { queueUrl, body: 'again' });

    expect(retried.functionError).toBeUndefined();
    expect(retried.payload).toMatchObject({ messageId: expect.any(String) });
    expect(await messagesInQueue()).toBe(2);
  }, 60_000);

  it('leaves a function alone that the fault does not name', async () => {
    faults.add([{ service: 'sqs', operation: 'SendMessage', killCaller: { functionName: 'someone-else' } }]);

    const answer = await lambda.invoke('sender', { queueUrl, body: 'spared' });

    expect(answer.functionError).toBeUndefined();
    expect(faults.list()).toEqual([expect.objectContaining({ killCaller: { functionName: 'someone-else', times: 1 } })]);
    faults.clear();
  }, 60_000);
});
