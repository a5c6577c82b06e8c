import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionInvoker, InvokeResult } from '#local-cloud/gateway/internal';
import type { HttpApiEvent } from '#local-cloud/api/http-api-event';
import { startApiServer, type ApiServer } from '#local-cloud/api/server';
import { LOCAL_TOKEN_PATH } from '#local-cloud/api/local-token-endpoint';

/** Answers every invocation with 200 and remembers the events. */
class RecordingInvoker implements FunctionInvoker {
  readonly events: HttpApiEvent[] = [];
  async invoke(_name: string, payload: unknown): Promise<InvokeResult> {
    this.events.push(payload as HttpApiEvent);
    return { payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"tracks":[]}' } };
  }
}

let api: ApiServer;
const invoker = new RecordingInvoker();

beforeAll(async () => {
  api = await startApiServer({ port: 0, dataDir: mkdtempSync(join(tmpdir(), 'local-token-')), invoker });
});
afterAll(async () => {
  await api.close();
});

const signIn = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${LOCAL_TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('Local API: the one-click local sign-in', () => {
  it('issues a token the API accepts for that user', async () => {
    const response = await signIn(JSON.stringify({ userId: 'demo-host' }), { origin: api.url });
    const { token } = (await response.json()) as { token: string };

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const tracks = await fetch(`${api.url}/tracks`, { headers: { authorization: `Bearer ${token}` } });
    expect(tracks.status).toBe(200);
    expect(invoker.events.at(-1)?.requestContext.authorizer?.jwt.claims.sub).toBe('demo-host');
  });

  it('answers the console on localhost with the same port too', async () => {
    const response = await signIn(JSON.stringify({ userId: 'demo-host' }), { origin: api.url.replace('127.0.0.1', 'localhost') });

    expect(response.status).toBe(200);
  });

  it('refuses a request from another origin', async () => {
    const response = await signIn(JSON.stringify({ userId: 'demo-host' }), { origin: 'http://evil.example' });

    expect(response.status).toBe(403);
    expect(await response.json()).not.toHaveProperty('token');
  });

  it('answers no CORS preflight, so other sites cannot send it JSON', async () => {
    const response = await fetch(`${api.url}${LOCAL_TOKEN_PATH}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    ['a user id with spaces', JSON.stringify({ userId: 'a b' }), {}],
    ['no user id', JSON.stringify({}), {}],
    ['a body that is not JSON', 'userId=a', {}],
    ['a form post', 'userId=a', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('refuses %s', async (_what, body, headers: Record<string, string>) => {
    const response = await signIn(body, headers);

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses GET', async () => {
    const response = await fetch(`${api.url}${LOCAL_TOKEN_PATH}`);

    expect(response.status).toBe(405);
  });
});
