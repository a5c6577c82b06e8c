/**
 * Signature failures through the clients nobody here wrote (both AWS CLIs, SDK v3): an unknown access key, a
 * wrong secret, a skewed clock and no signature at all each get the code that service sends on AWS, in its
 * own wire shape (JSON 1.0/1.1, SQS over JSON and over query XML, S3 XML, REST-JSON).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createDynamoDbProvider } from '#local-cloud/services/dynamodb/provider';
import { createS3Provider } from '#local-cloud/services/s3/provider';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { createLogsProvider } from '#local-cloud/services/logs/provider';
import { LambdaProvider } from '#local-cloud/services/lambda/provider';
import { signRequest } from '#harness/sign-request';
import { CLI_TEST_OPTIONS, runAws, type CliVersion } from '#test/integration/local-cloud/gateway/aws-cli';

let gateway: Gateway;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'signature-errors-'));
  const logs = createLogsProvider({ dataDir });
  gateway = await startGateway({
    port: 0,
    providers: [createDynamoDbProvider({ dataDir }), createS3Provider({ dataDir }), createSqsProvider({ dataDir }), logs, new LambdaProvider({ logs })],
  });
});

afterAll(async () => {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const UNKNOWN_KEY = { accessKeyId: 'AKIDNOBODYHAS', secretAccessKey: 'test' };
const WRONG_SECRET = { accessKeyId: 'test', secretAccessKey: 'not-the-secret' };
/** Signs 20 minutes in the past (AWS allows 15). */
const SKEWED = -20 * 60 * 1000;

/** The error an SDK v3 call raises: its name and HTTP status. */
async function sdkError(send: () => Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await send();
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the call succeeded');
}

describe('Signature errors through SDK v3', () => {
  const config = (credentials: { accessKeyId: string; secretAccessKey: string }, systemClockOffset = 0) => ({
    endpoint: gateway.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    systemClockOffset,
  });

  it('DynamoDB (JSON 1.0): UnrecognizedClientException, InvalidSignatureException, "Signature expired"', async () => {
    const call = (c: { accessKeyId: string; secretAccessKey: string }, offset = 0) => {
      const client = new DynamoDBClient(config(c, offset));
      return sdkError(() => client.send(new ListTablesCommand({}))).finally(() => client.destroy());
    };
    expect(await call(UNKNOWN_KEY)).toMatchObject({ name: 'UnrecognizedClientException', status: 400, message: 'The security token included in the request is invalid.' });
    expect(await call(WRONG_SECRET)).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    const skewed = await call({ accessKeyId: 'test', secretAccessKey: 'test' }, SKEWED);
    expect(skewed).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    expect(skewed.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  it('S3 (XML): InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed', async () => {
    const call = (c: { accessKeyId: string; secretAccessKey: string }, offset = 0) => {
      const client = new S3Client({ ...config(c, offset), forcePathStyle: true });
      return sdkError(() => client.send(new ListBucketsCommand({}))).finally(() => client.destroy());
    };
    expect(await call(UNKNOWN_KEY)).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
    expect(await call(WRONG_SECRET)).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(await call({ accessKeyId: 'test', secretAccessKey: 'test' }, SKEWED)).toMatchObject({ name: 'RequestTimeTooSkewed', status: 403 });
  });

  it('SQS (JSON with x-amzn-query-error): InvalidClientTokenId, SignatureDoesNotMatch', async () => {
    const call = (c: { accessKeyId: string; secretAccessKey: string }, offset = 0) => {
      const client = new SQSClient(config(c, offset));
      return sdkError(() => client.send(new ListQueuesCommand({}))).finally(() => client.destroy());
    };
    expect(await call(UNKNOWN_KEY)).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    expect(await call(WRONG_SECRET)).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(await call({ accessKeyId: 'test', secretAccessKey: 'test' }, SKEWED)).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
  });

  it('Lambda (REST-JSON) and Logs (JSON 1.1): UnrecognizedClientException, InvalidSignatureException', async () => {
    const lambda = (c: { accessKeyId: string; secretAccessKey: string }) => {
      const client = new LambdaClient(config(c));
      return sdkError(() => client.send(new ListFunctionsCommand({}))).finally(() => client.destroy());
    };
    expect(await lambda(UNKNOWN_KEY)).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
    expect(await lambda(WRONG_SECRET)).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    const logs = (c: { accessKeyId: string; secretAccessKey: string }) => {
      const client = new CloudWatchLogsClient(config(c));
      return sdkError(() => client.send(new DescribeLogGroupsCommand({}))).finally(() => client.destroy());
    };
    expect(await logs(UNKNOWN_KEY)).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    expect(await logs(WRONG_SECRET)).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
  });

  it('a request signed with an old X-Amz-Date, and one with no signature, as each service answers them', async () => {
    const old = new Date(Date.now() - 20 * 60 * 1000);
    const body = '{}';
    const headers = signRequest({
      method: 'POST',
      url: `${gateway.url}/`,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      body,
      service: 'logs',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      date: old,
    });
    delete headers['host'];
    const skewed = await fetch(`${gateway.url}/`, { method: 'POST', headers, body });
    expect(skewed.status).toBe(400);
    expect(skewed.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException/);
    expect(((await skewed.json()) as { message: string }).message).toMatch(/^Signature expired/);

    const ddb = await fetch(`${gateway.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body });
    expect(ddb.status).toBe(400);
    expect(await ddb.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const s3 = await fetch(`${gateway.url}/`);
    expect(s3.status).toBe(403);
    expect(await s3.text()).toContain('<Code>AccessDenied</Code>');
    const lambda = await fetch(`${gateway.url}/2015-03-31/functions/`, { headers: { authorization: 'Bearer x' } });
    expect(lambda.status).toBe(400);
  });
});

describe.each<CliVersion>(['v1', 'v2'])('Signature errors through AWS CLI %s', CLI_TEST_OPTIONS, (version) => {
  const cli = (args: string[], env: Record<string, string>) => runAws(version, gateway.url, args, 60_000, env);
  const codeOf = (stderr: string): string | undefined => /An error occurred \(([A-Za-z.]+)\)/.exec(stderr)?.[1];
  const unknownKey = { AWS_ACCESS_KEY_ID: UNKNOWN_KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: UNKNOWN_KEY.secretAccessKey };
  const wrongSecret = { AWS_ACCESS_KEY_ID: WRONG_SECRET.accessKeyId, AWS_SECRET_ACCESS_KEY: WRONG_SECRET.secretAccessKey };

  it('DynamoDB: UnrecognizedClientException, InvalidSignatureException, MissingAuthenticationTokenException', async () => {
    expect(codeOf((await cli(['dynamodb', 'list-tables'], unknownKey)).stderr)).toBe('UnrecognizedClientException');
    expect(codeOf((await cli(['dynamodb', 'list-tables'], wrongSecret)).stderr)).toBe('InvalidSignatureException');
    expect(codeOf((await cli(['dynamodb', 'list-tables', '--no-sign-request'], {})).stderr)).toBe('MissingAuthenticationTokenException');
  });

  it(`SQS (${version === 'v1' ? 'JSON' : 'query XML'}): InvalidClientTokenId, SignatureDoesNotMatch, MissingAuthenticationToken`, async () => {
    expect(codeOf((await cli(['sqs', 'list-queues'], unknownKey)).stderr)).toBe('InvalidClientTokenId');
    expect(codeOf((await cli(['sqs', 'list-queues'], wrongSecret)).stderr)).toBe('SignatureDoesNotMatch');
    expect(codeOf((await cli(['sqs', 'list-queues', '--no-sign-request'], {})).stderr)).toBe('MissingAuthenticationToken');
  });

  it('S3: InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied', async () => {
    expect(codeOf((await cli(['s3api', 'list-buckets'], unknownKey)).stderr)).toBe('InvalidAccessKeyId');
    expect(codeOf((await cli(['s3api', 'list-buckets'], wrongSecret)).stderr)).toBe('SignatureDoesNotMatch');
    expect(codeOf((await cli(['s3api', 'list-buckets', '--no-sign-request'], {})).stderr)).toBe('AccessDenied');
  });

  it('Lambda: UnrecognizedClientException, InvalidSignatureException; the operator key works', async () => {
    expect(codeOf((await cli(['lambda', 'list-functions'], unknownKey)).stderr)).toBe('UnrecognizedClientException');
    expect(codeOf((await cli(['lambda', 'list-functions'], wrongSecret)).stderr)).toBe('InvalidSignatureException');
    const ok = await cli(['lambda', 'list-functions'], {});
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });
});
