import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { startGateway, type Gateway, type RequestLogEntry } from '#local-cloud/gateway/server';
import type { AwsRequest, ServiceProvider } from '#local-cloud/gateway/provider';

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
    routes: [{ prefix: '/_stage/', request: (_req, res) => void res.writeHead(201, { 'x-route': 'stage' }).end('stage') }],
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

/** Sends one raw request to the gateway. */
function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gateway.url}${path}`, { method: init.method ?? 'POST', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body ?? '');
  });
}

const SIGNED = (service: string): string => `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe('The AWS endpoint gateway', () => {
  it('routes by the credential scope of the Authorization header, with region and access key', async () => {
    const response = await send('/', { headers: { authorization: SIGNED('logs'), 'x-amz-target': 'AmazonSQS.ListQueues' } });
    expect(JSON.parse(response.body)).toEqual({ provider: 'logs' });
    expect(seen.at(-1)).toMatchObject({ signingService: 'logs', region: 'eu-west-1', accessKeyId: 'AKID' });
  });

  it('routes a presigned URL by its X-Amz-Credential', async () => {
    const credential = encodeURIComponent('AKID/20260101/us-east-1/s3/aws4_request');
    const response = await send(`/bucket/key?X-Amz-Credential=${credential}&X-Amz-Signature=00`, { method: 'GET' });
    expect(JSON.parse(response.body)).toEqual({ provider: 's3' });
  });

  it('routes an unsigned request by its X-Amz-Target prefix, and falls back to S3 for plain paths', async () => {
    expect(JSON.parse((await send('/', { headers: { 'x-amz-target': 'Logs_20140328.FilterLogEvents' } })).body)).toEqual({ provider: 'logs' });
    expect(JSON.parse((await send('/bucket/key', { method: 'GET' })).body)).toEqual({ provider: 's3' });
  });

  it('answers an unknown service with an AWS-shaped error', async () => {
    const response = await send('/', { headers: { authorization: SIGNED('kinesis'), 'x-amz-target': 'Kinesis_20131202.ListStreams', 'content-type': 'application/x-amz-json-1.1' } });
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
    const response = await send('/', { headers: { authorization: SIGNED('states'), 'x-amz-target': 'AWSStepFunctions.StartExecution', 'content-type': 'application/x-amz-json-1.0' } });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'InternalFailure' });
    expect(response.body).not.toContain('secret');
    expect(errors).toHaveLength(1);
  });

  it('serves mounted routes and upgrades outside AWS routing', async () => {
    const response = await send('/_stage/abc/whip', { method: 'POST' });
    expect(response).toMatchObject({ status: 201, body: 'stage' });
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
    await send('/bucket/key?X-Amz-Signature=topsecret', { method: 'PUT', body: 'body-secret' });
    const entry = logEntries.at(-1);
    expect(entry).toMatchObject({ method: 'PUT', path: '/bucket/key', service: 's3', status: 200 });
    expect(JSON.stringify(logEntries)).not.toMatch(/topsecret|body-secret/);
  });
});
