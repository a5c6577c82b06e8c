import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { FUNCTION_NAMES, MAX_REQUEST_BODY_BYTES } from '#contract/index';
import type { FunctionInvoker, InvokeResult } from '#local-cloud/gateway/internal';
import { startApiServer, type ApiServer } from '#local-cloud/api/server';
import { OriginPolicy } from '#local-cloud/gateway/origin-policy';
import { discoverIssuerKeys, createJwtAuthorizer } from '#local-cloud/api/jwt-authorizer';
import { issueLocalToken, LocalIssuerKeys } from '#local-cloud/api/local-issuer';
import type { HttpApiEvent } from '#local-cloud/api/http-api-event';

/** Records each invocation and answers with `next`. */
class RecordingInvoker implements FunctionInvoker {
  readonly calls: { name: string; event: HttpApiEvent }[] = [];
  next: InvokeResult | Error = { payload: { statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' } };
  async invoke(name: string, payload: unknown): Promise<InvokeResult> {
    this.calls.push({ name, event: payload as HttpApiEvent });
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }
}

const SESSION = '2b9e4c1a-7d3f-4e8a-9c2b-1f0e3d5a7b9c';

describe('Local HTTP API server', () => {
  let dataDir: string;
  let invoker: RecordingInvoker;
  let api: ApiServer;
  let token: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'api-test-'));
    invoker = new RecordingInvoker();
    api = await startApiServer({
      port: 0,
      dataDir,
      invoker,
      originPolicy: new OriginPolicy(['http://console.test']),
      staticHandler: (req, res) => {
        if (req.url !== '/') return false;
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>console</h1>');
        return true;
      },
    });
    token = await api.issueToken('host-1');
  });
  afterEach(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit & { auth?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth !== null) headers.set('authorization', init.auth ?? `Bearer ${token}`);
    return fetch(`${api.url}${path}`, { ...init, headers });
  };

  it('invokes the route function by name with a payload 2.0 event carrying the JWT claims', async () => {
    const response = await call(`/sessions/${SESSION}/commands?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k-1', cookie: 'a=1; b=2' },
      body: JSON.stringify({ type: 'PAUSE_MEDIA' }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('apigw-requestid')).toBeTruthy();

    expect(invoker.calls).toHaveLength(1);
    const { name, event } = invoker.calls[0]!;
    expect(name).toBe(FUNCTION_NAMES.enqueueCommand);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /sessions/{sessionId}/commands',
      rawPath: `/sessions/${SESSION}/commands`,
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      pathParameters: { sessionId: SESSION },
      cookies: ['a=1', 'b=2'],
      body: '{"type":"PAUSE_MEDIA"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: `/sessions/${SESSION}/commands`, sourceIp: '127.0.0.1' },
        routeKey: 'POST /sessions/{sessionId}/commands',
        stage: '$default',
        authorizer: { jwt: { claims: { sub: 'host-1', iss: api.issuer, aud: 'shelcaster-api' }, scopes: null } },
      },
    });
    expect(event.headers['idempotency-key']).toBe('k-1');
    expect(event.requestContext.requestId).toBe(response.headers.get('apigw-requestid'));
    expect(typeof event.requestContext.timeEpoch).toBe('number');
  });

  it('answers a plain function result as 200 JSON', async () => {
    invoker.next = { payload: { sessionId: SESSION, status: 'LIVE' } };
    const response = await call(`/sessions/${SESSION}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ sessionId: SESSION, status: 'LIVE' });
    expect(invoker.calls[0]?.name).toBe(FUNCTION_NAMES.getSession);
  });

  it('answers 500 Internal Server Error exactly as API Gateway when the function fails', async () => {
    invoker.next = { payload: { errorType: 'Error', errorMessage: 'table missing' }, functionError: 'Unhandled' };
    const failed = await call(`/sessions/${SESSION}`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('{"message":"Internal Server Error"}');
    invoker.next = new Error('invoker down');
    expect((await call(`/sessions/${SESSION}`)).status).toBe(500);
  });

  it.each([
    ['no token', () => null],
    ['a malformed token', () => 'Bearer abc.def.ghi'],
    ['an expired token', async () => `Bearer ${await api.issueToken('host-1', { seconds: 60, now: new Date(Date.now() - 3_600_000) })}`],
    ['a token of another audience', async () => `Bearer ${await (await LocalIssuerKeys.open(dataDir)).sign('host-1', api.issuer, 'other')}`],
    ['a token of another issuer', async () => `Bearer ${await (await LocalIssuerKeys.open(dataDir)).sign('host-1', 'http://127.0.0.1:1', 'shelcaster-api')}`],
    ['a token signed with a key not in the JWKS', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const jwt = await new SignJWT({ sub: 'host-1' }).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuer(api.issuer).setAudience('shelcaster-api').setExpirationTime('1h').sign(privateKey);
      return `Bearer ${jwt}`;
    }],
  ])('answers 401 Unauthorized to %s and invokes nothing', async (_name, make) => {
    const auth = await make();
    const response = await call(`/sessions/${SESSION}`, { auth: auth === null ? null : auth });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"message":"Unauthorized"}');
    expect(invoker.calls).toEqual([]);
  });

  it('answers 401 to a token signed by another local cloud (forged signature)', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'api-other-'));
    try {
      const other = await startApiServer({ port: 0, dataDir: otherDir, invoker });
      const forged = await issueLocalToken('host-1', { dataDir: otherDir });
      await other.close();
      // Same claims as ours would have, other key: re-sign for our issuer with the other key.
      const [header, payload, signature] = forged.split('.');
      const claims = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString()) as object), iss: api.issuer };
      const tampered = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
      expect((await call(`/sessions/${SESSION}`, { auth: `Bearer ${tampered}` })).status).toBe(401);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('answers 404 Not Found for an unknown route or method, before checking the token', async () => {
    for (const [method, path] of [['GET', '/nope'], ['PUT', `/sessions/${SESSION}`], ['GET', '/sessions']] as const) {
      const response = await call(path, { method, auth: null });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('{"message":"Not Found"}');
    }
    expect(invoker.calls).toEqual([]);
  });

  it(`answers 413 to a body above ${MAX_REQUEST_BODY_BYTES} bytes`, async () => {
    const response = await call('/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(invoker.calls).toEqual([]);
  });

  it('answers CORS preflights for the console origin and adds the allow-origin header to answers', async () => {
    const preflight = await fetch(`${api.url}/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://console.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://console.test');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');

    const answer = await call(`/sessions/${SESSION}`, { headers: { origin: 'http://console.test' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://console.test');
    const own = await call(`/sessions/${SESSION}`, { headers: { origin: api.url } });
    expect(own.headers.get('access-control-allow-origin')).toBe(api.url);
  });

  it('refuses a foreign Origin and a foreign Host before routing, and never names them in CORS', async () => {
    const preflight = await fetch(`${api.url}/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const stranger = await call(`/sessions/${SESSION}`, { headers: { origin: 'http://evil.test' } });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    expect(await stranger.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
    const token = await fetch(`${api.url}/_local/token`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json' }, body: '{"userId":"x"}' });
    expect(token.status).toBe(403);
    expect(invoker.calls).toEqual([]);
  });

  it('serves static pages through the static handler without a token', async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<h1>console</h1>');
  });

  it('publishes its OpenID configuration and JWKS, which verify its tokens as API Gateway would find them', async () => {
    const configuration = (await (await fetch(`${api.url}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    expect(configuration.issuer).toBe(api.issuer);
    expect(configuration.jwks_uri).toBe(`${api.issuer}/.well-known/jwks.json`);
    const jwks = (await (await fetch(configuration.jwks_uri)).json()) as { keys: { kty: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.kty).toBe('RSA');
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const authorize = createJwtAuthorizer({ issuer: api.issuer, audience: ['shelcaster-api'] }, await discoverIssuerKeys(api.issuer));
    await expect(authorize(`Bearer ${token}`)).resolves.toMatchObject({ claims: { sub: 'host-1' } });
  });

  it('accepts the tokens issueLocalToken makes from the data dir (what npm run token prints)', async () => {
    const cliToken = await issueLocalToken('caller-9', { dataDir });
    invoker.next = { payload: { statusCode: 200, body: 'ok' } };
    const response = await call(`/sessions/${SESSION}`, { auth: `Bearer ${cliToken}` });
    expect(response.status).toBe(200);
    expect(invoker.calls[0]?.event.requestContext.authorizer?.jwt.claims.sub).toBe('caller-9');
  });
});
