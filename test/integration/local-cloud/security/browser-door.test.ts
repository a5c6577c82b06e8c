/**
 * The drive-by, against the local cloud `npm start` runs: a web page of another origin, or one reached by DNS
 * rebinding, gets nothing from the AWS endpoint or the API, and nothing runs. The canary is an ECS RunTask
 * whose container override would create a file; it stays absent after each attempt, and appears only when the
 * operator's own key runs it (the operator is administrator of the local account).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CLUSTER_NAME, CONTROLLER_CONTAINER_NAME, CONTROLLER_TASK_FAMILY } from '#contract/index';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { signRequest } from '#harness/sign-request';
import { rawRequest } from '#test/support/raw-request';
import { canonicalQuery, signatureOf, signingKey } from '#local-cloud/gateway/sigv4';

const FOREIGN_ORIGIN = 'http://drive-by.example';
let cloud: RunningLocalCloud;
let canaryDir: string;
let canary: string;

beforeAll(async () => {
  canaryDir = mkdtempSync(join(tmpdir(), 'drive-by-canary-'));
  canary = join(canaryDir, 'ran');
  cloud = await startLocalCloud();
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  if (cloud) await rm(cloud.dataDir, { recursive: true, force: true });
  rmSync(canaryDir, { recursive: true, force: true });
});

/** The RunTask input whose override would create the canary. */
const runTaskInput = () => ({
  cluster: CLUSTER_NAME,
  taskDefinition: CONTROLLER_TASK_FAMILY,
  count: 1,
  overrides: { containerOverrides: [{ name: CONTROLLER_CONTAINER_NAME, command: ['/bin/sh', '-c', `touch '${canary}'`] }] },
});

const send = rawRequest;

describe('No door for a browser', () => {
  it('refuses a cross-origin preflight on the AWS endpoint and on the API, naming no origin', async () => {
    for (const url of [`${cloud.awsEndpoint}/`, `${cloud.apiUrl}/sessions`]) {
      const preflight = await send(url, { method: 'OPTIONS', headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,content-type' } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    }
    // The console's own origin (the API's) is let in: the presigned upload's preflight.
    const own = await send(`${cloud.awsEndpoint}/some-bucket/key`, { method: 'OPTIONS', headers: { origin: cloud.apiUrl, 'access-control-request-method': 'PUT' } });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBe(cloud.apiUrl);
  });

  it('refuses a simple form POST carrying a query signature made with the public `test` secret', async () => {
    // What a page can build without a preflight: a form POST, its signature in the URL (the secret is public).
    const url = new URL(`${cloud.awsEndpoint}/`);
    const now = new Date();
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const scope = `${amzDate.slice(0, 8)}/us-east-1/ecs/aws4_request`;
    const body = `Action=RunTask&input=${encodeURIComponent(JSON.stringify(runTaskInput()))}`;
    const params = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `test/${scope}`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
    });
    const canonical = ['POST', '/', canonicalQuery(params.toString()), `host:${url.host}\n`, 'host', createHash('sha256').update(body).digest('hex')].join('\n');
    params.set('X-Amz-Signature', signatureOf(signingKey('test', amzDate.slice(0, 8), 'us-east-1', 'ecs'), amzDate, scope, canonical));
    const response = await send(`${cloud.awsEndpoint}/?${params.toString()}`, {
      method: 'POST',
      headers: { origin: FOREIGN_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(response.status).toBe(403);
    expect(response.body).toContain('OriginNotAllowed');
    expect(existsSync(canary)).toBe(false);
  });

  it('refuses a well-signed RunTask from a foreign Origin, and one addressed to a foreign Host', async () => {
    const body = JSON.stringify(runTaskInput());
    const base = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask' };
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const fromPage = signRequest({ method: 'POST', url: `${cloud.awsEndpoint}/`, headers: { ...base, origin: FOREIGN_ORIGIN }, body, service: 'ecs', credentials });
    const refusedOrigin = await send(`${cloud.awsEndpoint}/`, { method: 'POST', headers: fromPage, body });
    expect(refusedOrigin.status).toBe(403);
    expect(JSON.parse(refusedOrigin.body)).toMatchObject({ __type: 'OriginNotAllowed' });

    const rebound = signRequest({ method: 'POST', url: `${cloud.awsEndpoint}/`, headers: { ...base, host: `rebind.example:${cloud.ports.aws}` }, body, service: 'ecs', credentials });
    const refusedHost = await send(`${cloud.awsEndpoint}/`, { method: 'POST', headers: rebound, body });
    expect(refusedHost.status).toBe(403);
    expect(JSON.parse(refusedHost.body)).toMatchObject({ __type: 'HostNotAllowed' });

    const api = await send(`${cloud.apiUrl}/sessions`, { method: 'POST', headers: { host: `rebind.example:${cloud.ports.api}`, 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({ code: 'HOST_NOT_ALLOWED' });

    const unsigned = await send(`${cloud.awsEndpoint}/`, { method: 'POST', headers: base, body });
    expect(unsigned.status).toBe(400);
    expect(JSON.parse(unsigned.body)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    expect(existsSync(canary)).toBe(false);
  });

  it("answers the stage's routes for any origin (token-gated), but not for a foreign Host", async () => {
    const fromCallerPage = await send(`${cloud.awsEndpoint}/_stage/whip`, { method: 'POST', headers: { origin: FOREIGN_ORIGIN, 'content-type': 'application/sdp' }, body: 'v=0' });
    expect(fromCallerPage.status).toBe(401);
    const rebound = await send(`${cloud.awsEndpoint}/_stage/whip`, { method: 'POST', headers: { host: 'rebind.example', 'content-type': 'application/sdp' }, body: 'v=0' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('HostNotAllowed');
  });

  it('runs the override for the operator, whose key is administrator: the canary was a real one', async () => {
    expect(existsSync(canary)).toBe(false);
    const ecs = new ECSClient({ endpoint: cloud.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await ecs.send(new RunTaskCommand(runTaskInput()));
    } finally {
      ecs.destroy();
    }
    await eventually(async () => (existsSync(canary) ? true : undefined), 60_000, 'the operator-run override to create the canary');
  });
});
