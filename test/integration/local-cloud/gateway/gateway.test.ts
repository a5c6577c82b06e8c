import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { startGateway, type Gateway, type RequestLogEntry } from '#local-cloud/gateway/server';
import type { AwsRequest, ServiceProvider } from '#local-cloud/gateway/provider';
import { signRequest } from '#harness/sign-request';
import { rawRequest, type RawAnswer } from '#test/support/raw-request';

const seen: AwsRequest[] = [];
const logEntries: RequestLogEntry[] = [];
const errors: unknown[] = [];

const echo = (name: string, targetPrefixes: string[] = []): ServiceProvider => ({
  signingNames: [name],
  targetPrefixes,
  async handle(request) {
    seen.push(request);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: name }) };
  },
});

const failing: ServiceProvider = {
  signingNames: ['states'],
  targetPrefixes: ['AWSStepFunctions'],
  async handle() {
    throw new Error('secret internals: token=abc');
  },
};

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({
    port: 0,
    providers: [echo('sqs', ['AmazonSQS']), echo('s3'), echo('logs', ['Logs_20140328']), failing],
    routes: [{ prefix: '/_stage/', anyOrigin: true, request: (_req, res) => void res.writeHead(201, { 'x-route': 'stage' }).end('stage') }],
    onRequest: (entry) => logEntries.push(entry),
    onError: (error) => errors.push(error),
  });
  gateway.mount({
    prefix: '/_ws/',
    upgrade: (_req, socket) => {
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    },
  });
});

afterAll(async () => {
  await gateway.close();
});

const OPERATOR = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Sends one raw request to the gateway, signed for `service` with the operator's key unless `service` is absent. */
function send(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; service?: string; region?: string } = {},
): Promise<RawAnswer> {
  const method = init.method ?? 'POST';
  const headers = init.service
    ? signRequest({ method, url: `${gateway.url}${path}`, headers: init.headers ?? {}, body: init.body ?? '', service: init.service, region: init.region ?? 'us-east-1', credentials: OPERATOR })
    : init.headers;
  return rawRequest(`${gateway.url}${path}`, { method, ...(headers ? { headers } : {}), ...(init.body !== undefined ? { body: init.body } : {}) });
}

describe('The AWS endpoint gateway', () => {
  it('routes by the credential scope of the Authorization header, and tells the provider the verified caller', async () => {
    const response = await send('/', { service: 'logs', region: 'eu-west-1', headers: { 'x-amz-target': 'AmazonSQS.ListQueues' } });
    expect(JSON.parse(response.body)).toEqual({ provider: 'logs' });
    expect(seen.at(-1)).toMatchObject({ signingService: 'logs', region: 'eu-west-1', accessKeyId: 'test', caller: { accessKeyId: 'test', identity: 'operator' } });
    expect(logEntries.at(-1)).toMatchObject({ service: 'logs', accessKeyId: 'test', status: 200 });
  });

  it('routes a presigned URL by its X-Amz-Credential and verifies it (a forged signature never reaches the provider)', async () => {
    const credential = encodeURIComponent('test/20260101/us-east-1/s3/aws4_request');
    const before = seen.length;
    const response = await send(`/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${credential}&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00`, { method: 'GET' });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/<Code>(AccessDenied|SignatureDoesNotMatch)<\/Code>/);
    expect(seen.length).toBe(before);
  });

  it('routes an unsigned request by its X-Amz-Target prefix or to S3, and refuses it there as that service does', async () => {
    const logs = await send('/', { headers: { 'x-amz-target': 'Logs_20140328.FilterLogEvents', 'content-type': 'application/x-amz-json-1.1' } });
    expect(logs.status).toBe(400);
    expect(JSON.parse(logs.body)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const s3 = await send('/bucket/key', { method: 'GET' });
    expect(s3.status).toBe(403);
    expect(s3.body).toContain('<Code>AccessDenied</Code>');
  });

  it('lets an unsigned CORS preflight from an allowed origin through to S3, and refuses other origins and hosts before routing', async () => {
    gateway.originPolicy.allow('http://127.0.0.1:3000');
    const preflight = await send('/bucket/key', { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'PUT' } });
    expect(JSON.parse(preflight.body)).toEqual({ provider: 's3' });
    const before = seen.length;
    const foreign = await send('/bucket/key', { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'PUT' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const rebound = await send('/', { service: 'logs', headers: { host: 'evil.test:4566', 'x-amz-target': 'Logs_20140328.FilterLogEvents' } });
    expect(rebound.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it('answers an unknown service with an AWS-shaped error', async () => {
    const response = await send('/', { service: 'kinesis', headers: { 'x-amz-target': 'Kinesis_20131202.ListStreams', 'content-type': 'application/x-amz-json-1.1' } });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers an SDK call to a service nobody provides with an error the SDK raises', async () => {
    const client = new ECSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const error = await client.send(new ListClustersCommand({})).catch((e: unknown) => e);
    client.destroy();
    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });

  it('turns a provider failure into a 500 InternalFailure without its message', async () => {
    const response = await send('/', { service: 'states', headers: { 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' } });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'InternalFailure' });
    expect(response.body).not.toContain('secret');
    expect(errors).toHaveLength(1);
  });

  it('serves mounted routes and upgrades outside AWS routing', async () => {
    const response = await send('/_stage/abc/whip', { method: 'POST', headers: { origin: 'https://any-page.example' } });
    expect(response).toMatchObject({ status: 201, body: 'stage' });
    expect((await send('/_stage/abc/whip', { method: 'POST', headers: { host: 'rebind.example' } })).status).toBe(403);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(gateway.port, '127.0.0.1', () => {
        socket.write(`GET /_ws/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toContain('101 Switching Protocols');
  });

  it('logs method, path, service and status without query strings or bodies', async () => {
    await send('/bucket/key?topsecret=1', { method: 'PUT', body: 'body-secret', service: 's3' });
    const entry = logEntries.at(-1);
    expect(entry).toMatchObject({ method: 'PUT', path: '/bucket/key', service: 's3', status: 200 });
    expect(JSON.stringify(logEntries)).not.toMatch(/topsecret|body-secret/);
  });
});
