/**
 * Fault injection at the gateway (local-cloud/gateway/faults.ts): the SDK sees AWS's own error for the
 * service (name, HTTP status, retryable or not), nothing reaches the provider while a fault hits, the
 * outage ends on the clock, and the run-time endpoint answers loopback clients only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { FAULTS_PATH, FaultInjector, faultsFromSetting, parseFaultSpec } from '#local-cloud/gateway/faults';
import type { AwsRequest, ServiceProvider } from '#local-cloud/gateway/provider';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { operationOfRequest } from '#local-cloud/iam/authorizer';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** Fails every call at once: the test looks at one answer, not at the SDK's retries. */
const noRetries = { region: 'us-east-1', credentials, maxAttempts: 1 } as const;

/** A provider that counts the requests that reach it and answers an empty success. */
class CountingProvider implements ServiceProvider {
  readonly targetPrefixes: readonly string[] = [];
  reached = 0;
  constructor(readonly signingNames: readonly string[]) {}
  async handle(request: AwsRequest) {
    this.reached += 1;
    const json = request.headers['x-amz-target'] !== undefined;
    return { status: 200, headers: { 'content-type': json ? 'application/x-amz-json-1.0' : 'application/json' }, body: json ? '{"TableNames":[]}' : '{}' };
  }
}

const clock = new ManualClock(Date.UTC(2026, 11, 1, 12, 0, 0));
let random = 0.5;
const faults = new FaultInjector({ clock, random: () => random, sleep: async () => undefined });
const dynamodb = new CountingProvider(['dynamodb']);
const lambda = new CountingProvider(['lambda']);
let gateway: Gateway;
let dataDir: string;
let sqs: SQSClient;
let ddb: DynamoDBClient;
let fn: LambdaClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'faults-'));
  gateway = await startGateway({
    port: 0,
    providers: [createSqsProvider({ dataDir, clock }), dynamodb, lambda],
    faults,
    // As the local cloud names the operations of REST requests (its IAM's mapping).
    operationOf: (request, service) => operationOfRequest(request, service, { account: '000000000000', region: 'us-east-1' }),
  });
  gateway.mount({ prefix: FAULTS_PATH, request: (req, res) => faults.answer(req, res) });
  sqs = new SQSClient({ endpoint: gateway.url, ...noRetries });
  ddb = new DynamoDBClient({ endpoint: gateway.url, ...noRetries });
  fn = new LambdaClient({ endpoint: gateway.url, ...noRetries });
});

afterEach(() => {
  faults.clear();
});

afterAll(async () => {
  for (const client of [sqs, ddb, fn]) client.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown }) => ({ name: error.name, status: error.$metadata?.httpStatusCode }),
  );

describe('Fault injection', () => {
  it('answers DynamoDB ServiceUnavailable (503) during an outage, reaches nothing, and ends on the clock', async () => {
    faults.add([{ service: 'dynamodb', outage: { seconds: 30 } }]);
    const before = dynamodb.reached;
    expect(await failureOf(ddb.send(new ListTablesCommand({})))).toEqual({ name: 'ServiceUnavailable', status: 503 });
    expect(dynamodb.reached).toBe(before);

    await clock.advance(30_000);
    await expect(ddb.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    expect(dynamodb.reached).toBe(before + 1);
  });

  it('fails one SQS operation only, with its JSON-protocol error, and leaves the queue unchanged', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'faulty' }));
    faults.add([{ service: 'sqs', operation: 'SendMessage', outage: { seconds: 10 } }]);
    expect(await failureOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })))).toEqual({ name: 'ServiceUnavailable', status: 503 });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
  });

  it("throttles Lambda with TooManyRequestsException (429) at the error rate, and lets the others through", async () => {
    faults.add([{ service: 'lambda', errorRate: 0.3, throttle: true }]);
    random = 0.1;
    expect(await failureOf(fn.send(new InvokeCommand({ FunctionName: 'f' })))).toEqual({ name: 'TooManyRequestsException', status: 429 });
    random = 0.9;
    await expect(fn.send(new InvokeCommand({ FunctionName: 'f' }))).resolves.toMatchObject({ StatusCode: 200 });
    random = 0.5;
  });

  it("fails Lambda's Invoke by name (a REST operation, named by its path), and lets its other operations through", async () => {
    faults.add([{ service: 'lambda', operation: 'Invoke', errorRate: 1 }]);
    const before = lambda.reached;
    expect(await failureOf(fn.send(new InvokeCommand({ FunctionName: 'shelcaster-warm-pool', InvocationType: 'Event' })))).toEqual({ name: 'ServiceException', status: 500 });
    expect(lambda.reached).toBe(before);
    await expect(fn.send(new GetFunctionCommand({ FunctionName: 'shelcaster-warm-pool' }))).resolves.toBeDefined();
    expect(lambda.reached).toBe(before + 1);
  });

  it('sets, lists and clears faults through the local-only endpoint, refusing bad specs and web pages', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}${FAULTS_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const set = await post({ faults: [{ service: 'dynamodb', operation: 'PutItem', outage: { seconds: 5, startInSeconds: 1 } }] });
    expect(set.status).toBe(200);
    expect(((await set.json()) as { faults: unknown[] }).faults).toEqual([
      expect.objectContaining({ service: 'dynamodb', operation: 'PutItem', outage: { from: '2026-12-01T12:00:31.000Z', until: '2026-12-01T12:00:36.000Z' } }),
    ]);
    expect(((await (await fetch(`${gateway.url}${FAULTS_PATH}`)).json()) as { faults: unknown[] }).faults).toHaveLength(1);

    const bad = await post({ faults: [{ service: 'dynamodb', errorRate: 2 }] });
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'InvalidFault']);
    expect((await post({ faults: [{ service: 'sqs', outage: { seconds: 1 } }] }, { origin: 'https://example.com' })).status).toBe(403);

    expect((await fetch(`${gateway.url}${FAULTS_PATH}`, { method: 'DELETE' })).status).toBe(200);
    expect(faults.list()).toEqual([]);
  });

  it('takes killCaller as a fault of its own, with a function name and a number of kills, and refuses it otherwise', () => {
    const setting = '[{"service":"sqs","operation":"SendMessage","killCaller":{"functionName":"shelcaster-enqueue-command","times":2}}]';
    expect(faultsFromSetting(setting)).toEqual([{ service: 'sqs', operation: 'SendMessage', killCaller: { functionName: 'shelcaster-enqueue-command', times: 2 } }]);
    expect(faults.add([{ service: 'sqs', killCaller: {} }])).toEqual([expect.objectContaining({ killCaller: { times: 1 } })]);
    expect(() => faultsFromSetting('[{"service":"sqs","killCaller":{"times":0}}]')).toThrow(/times must be/);
    expect(() => faultsFromSetting('[{"service":"sqs","killCaller":{"functionName":"a b"}}]')).toThrow(/functionName must be/);
    expect(() => faultsFromSetting('[{"service":"sqs","killCaller":{"who":"x"}}]')).toThrow(/Unknown killCaller field "who"/);
    expect(() => faultsFromSetting('[{"service":"sqs","killCaller":{},"errorRate":0.5}]')).toThrow(/fault of its own/);
  });

  it('passes requests a killCaller fault matches when no function signed them', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'unsigned-by-functions' }));
    faults.add([{ service: 'sqs', operation: 'SendMessage', killCaller: {} }]);

    await expect(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }))).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(faults.list()).toHaveLength(1);
  });

  it('reads faults set at start from SHELCASTER_FAULTS and refuses a bad setting', () => {
    expect(faultsFromSetting('[{"service":"sqs","latencyMs":200}]')).toEqual([{ service: 'sqs', latencyMs: 200 }]);
    expect(faultsFromSetting(undefined)).toEqual([]);
    expect(() => faultsFromSetting('{"service":"sqs"}')).toThrow(/JSON array/);
    expect(() => faultsFromSetting('[{"service":"sqs"}]')).toThrow(/errorRate, latencyMs, outage, killCaller or gather/);
  });

  it('gathers matching requests: the first waits until the second arrives, then both reach the service, and the fault is spent', async () => {
    faults.add([{ service: 'dynamodb', operation: 'ListTables', gather: { requests: 2 } }]);
    const before = dynamodb.reached;
    let firstAnswered = false;
    const first = ddb.send(new ListTablesCommand({})).then(() => (firstAnswered = true));
    await expect.poll(() => faults.list()[0]?.gather?.held).toBe(1);
    expect([firstAnswered, dynamodb.reached]).toEqual([false, before]);

    await ddb.send(new ListTablesCommand({}));
    await first;
    expect(dynamodb.reached).toBe(before + 2);
    expect(faults.list()).toEqual([]);
    await ddb.send(new ListTablesCommand({}));
    expect(dynamodb.reached).toBe(before + 3);
  });

  it('lets a gather go after maxWaitMs on the clock when too few requests came, and spends it', async () => {
    faults.add([{ service: 'dynamodb', gather: { requests: 3, maxWaitMs: 5_000 } }]);
    const before = dynamodb.reached;
    const held = ddb.send(new ListTablesCommand({}));
    await expect.poll(() => faults.list()[0]?.gather?.held).toBe(1);
    await clock.advance(4_999);
    expect(dynamodb.reached).toBe(before);
    await clock.advance(1);
    await expect(held).resolves.toMatchObject({ TableNames: [] });
    expect(dynamodb.reached).toBe(before + 1);
    expect(faults.list()).toEqual([]);
  });

  it('lets requests a clear() finds in a gather go on', async () => {
    faults.add([{ service: 'dynamodb', gather: { requests: 2 } }]);
    const held = ddb.send(new ListTablesCommand({}));
    await expect.poll(() => faults.list()[0]?.gather?.held).toBe(1);
    faults.clear();
    await expect(held).resolves.toMatchObject({ TableNames: [] });
  });

  it("gathers only a named function's requests when the gather names one", async () => {
    const own = new FaultInjector({ clock, sleep: async () => undefined });
    own.setFunctionHost({ environmentSigningWith: (key) => (key === 'AKIASTART' ? { functionName: 'starter', kill: async () => undefined } : undefined) });
    own.add([{ service: 'dynamodb', operation: 'UpdateItem', gather: { requests: 2, functionName: 'starter' } }]);
    const request = (accessKeyId: string) => ({ caller: { accessKeyId } }) as unknown as AwsRequest; // intercept reads only the signer of a gathered request
    await expect(own.intercept(request('AKIAOTHER'), 'dynamodb', 'UpdateItem', 'r1')).resolves.toBeUndefined();
    let released = 0;
    const first = own.intercept(request('AKIASTART'), 'dynamodb', 'UpdateItem', 'r2').then(() => released++);
    await new Promise((resolve) => setImmediate(resolve));
    expect([released, own.list()[0]?.gather?.held]).toEqual([0, 1]);
    await own.intercept(request('AKIASTART'), 'dynamodb', 'UpdateItem', 'r3');
    await first;
    expect([released, own.list()]).toEqual([1, []]);
  });

  it("fails and slows only a named function's calls when a fault names one; calls no function signed pass", async () => {
    const waits: number[] = [];
    const own = new FaultInjector({ clock, random: () => 0, sleep: async (ms) => void waits.push(ms) });
    own.setFunctionHost({ environmentSigningWith: (key) => (key === 'AKIASTART' ? { functionName: 'shelcaster-start-controller', kill: async () => undefined } : undefined) });
    own.add([{ service: 'dynamodb', operation: 'UpdateItem', functionName: 'shelcaster-start-controller', latencyMs: 6000, errorRate: 1 }]);
    const request = (accessKeyId: string) => ({ caller: { accessKeyId }, headers: {}, query: new URLSearchParams(), path: '/', method: 'POST', body: Buffer.alloc(0) }) as unknown as AwsRequest;
    await expect(own.intercept(request('AKIAOTHER'), 'dynamodb', 'UpdateItem', 'r1')).resolves.toBeUndefined();
    await expect(own.failure('dynamodb', 'UpdateItem')).resolves.toBeUndefined();
    expect(waits).toEqual([]);
    const answer = await own.intercept(request('AKIASTART'), 'dynamodb', 'UpdateItem', 'r2');
    expect(answer?.status).toBe(500);
    expect(waits).toEqual([6000]);
    expect(() => parseFaultSpec({ service: 'dynamodb', latencyMs: 10, functionName: 'not a name!' })).toThrow('functionName must be a function name');
    expect(() => parseFaultSpec({ service: 'dynamodb', functionName: 'shelcaster-start-controller', gather: { requests: 2 } })).toThrow('gather is a fault of its own: it takes no functionName');
  });

  it('takes gather as a fault of its own and refuses a bad one', () => {
    expect(faultsFromSetting('[{"service":"dynamodb","operation":"UpdateItem","gather":{"requests":2,"functionName":"shelcaster-start-controller"}}]')).toEqual([
      { service: 'dynamodb', operation: 'UpdateItem', gather: { requests: 2, functionName: 'shelcaster-start-controller' } },
    ]);
    expect(faults.add([{ service: 'sqs', gather: { requests: 2 } }])).toEqual([expect.objectContaining({ gather: { requests: 2, maxWaitMs: 60_000, held: 0 } })]);
    expect(() => faultsFromSetting('[{"service":"sqs","gather":{"requests":1}}]')).toThrow(/requests must be/);
    expect(() => faultsFromSetting('[{"service":"sqs","gather":{"requests":2,"maxWaitMs":0}}]')).toThrow(/maxWaitMs must be/);
    expect(() => faultsFromSetting('[{"service":"sqs","gather":{"requests":2,"functionName":"a b"}}]')).toThrow(/functionName must be/);
    expect(() => faultsFromSetting('[{"service":"sqs","gather":{"requests":2,"when":1}}]')).toThrow(/Unknown gather field "when"/);
    expect(() => faultsFromSetting('[{"service":"sqs","gather":{"requests":2},"latencyMs":5}]')).toThrow(/gather is a fault of its own: it takes no latencyMs/);
  });
});
