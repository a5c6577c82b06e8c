/**
 * Who may do what (issue 8, Access), against one real local cloud: every authorized route refuses a request
 * without a valid token with API Gateway's 401, and changes nothing; a host other than the session's owner
 * gets 404 on every route of the session and changes nothing (the session stays LIVE, no command record, no
 * message, no token issued); caller tokens are issued to the host only, publish and subscribe, and expire
 * within CALLER_TOKEN_MINUTES.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  API_ROUTES,
  CALLER_TOKEN_MINUTES,
  HOST_TOKEN_MINUTES,
  LOCAL_JWT_AUDIENCE,
  type ApiRoute,
} from '#contract/index';
import { LocalIssuerKeys, readIssuer } from '#local-cloud/api/local-issuer';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { readSessionRecord } from '#harness/session-record';
import { SessionApi } from '#harness/session-api';
import { countIssuedParticipantTokens, snapshotClients, takeSnapshot, type SnapshotClients } from '#test/support/state-snapshot';

const HOST_A = 'host-access-a';
const HOST_B = 'host-access-b';

let cloud: RunningLocalCloud;
let clients: SnapshotClients;
let hostA: SessionApi;
let hostB: SessionApi;
let sessionId: string;
let executionArn: string;
let queueUrl: string;
let commandId: string;

/** A body each route would accept, so that a request let through would change something. */
function acceptableBody(route: ApiRoute): unknown {
  if (route.method !== 'POST') return undefined;
  if (route.path === '/sessions') return { title: 'Intruder show' };
  if (route.path.endsWith('/tokens')) return { role: 'CALLER', displayName: 'Intruder' };
  if (route.path.endsWith('/commands')) return { type: 'PAUSE_MEDIA' };
  if (route.path.endsWith('/run-of-show')) return { op: 'REMOVE', version: 0, itemId: randomUUID() };
  return {};
}

/** The route's path with its parameters filled: the session under test, fresh UUIDs for the rest. */
function pathOf(route: ApiRoute, session: string): string {
  return route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => (name === 'sessionId' ? session : name === 'commandId' ? commandId : randomUUID()));
}

async function call(route: ApiRoute, authorization: string | undefined, session = sessionId) {
  const body = acceptableBody(route);
  const response = await fetch(`${cloud.apiUrl}${pathOf(route, session)}`, {
    method: route.method,
    headers: { ...(authorization === undefined ? {} : { authorization }), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const AUTHORIZED_ROUTES = API_ROUTES.filter((route) => route.authorized);
const SESSION_ROUTES = AUTHORIZED_ROUTES.filter((route) => route.path.includes('{sessionId}'));

/** Tokens the authorizer must refuse, each made the way an attacker or a stale client would have it. */
async function refusedTokens(): Promise<[string, string | undefined][]> {
  const { issuer, audience } = readIssuer(cloud.dataDir);
  const realKeys = await LocalIssuerKeys.open(cloud.dataDir);
  const valid = await localToken(cloud.dataDir, HOST_A);
  const [header = '', , signature = ''] = valid.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(valid), sub: HOST_B })).toString('base64url');
  const { privateKey: otherKey } = await generateKeyPair('RS256');
  const forged = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: realKeys.kid, typ: 'JWT' })
    .setSubject(HOST_A)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(otherKey);
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${valid.split('.')[1]}.`;
  return [
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['a token signed by another key under the real key id', `Bearer ${forged}`],
    ['an expired token', `Bearer ${await realKeys.sign(HOST_A, issuer, audience, { seconds: 60, now: new Date(Date.now() - 3_600_000) })}`],
    ['a token for another audience', `Bearer ${await realKeys.sign(HOST_A, issuer, `${LOCAL_JWT_AUDIENCE}-other`)}`],
    ['a token of another issuer', `Bearer ${await realKeys.sign(HOST_A, 'https://issuer.invalid', audience)}`],
    ['a token whose payload was changed after signing', `Bearer ${header}.${forgedPayload}.${signature}`],
    ['an unsigned token (alg none)', `Bearer ${unsigned}`],
    ['garbage', 'Bearer not.a.jwt'],
  ];
}

beforeAll(async () => {
  cloud = await startLocalCloud();
  clients = snapshotClients(cloud.awsEndpoint);
  hostA = new SessionApi(cloud, await localToken(cloud.dataDir, HOST_A));
  hostB = new SessionApi(cloud, await localToken(cloud.dataDir, HOST_B));
  ({ sessionId, executionArn } = await hostA.createSession('Access'));
  await hostA.waitLive(sessionId, 90_000);
  commandId = (await hostA.applied(sessionId, { type: 'SET_VOLUME', volume: 0.8 })).commandId;
  queueUrl = (await readSessionRecord(cloud.awsEndpoint, sessionId))?.queueUrl ?? '';
  expect(queueUrl).toMatch(/^http/);
}, 150_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('Access: the JWT authorizer', () => {
  it('answers 401 Unauthorized on every authorized route to a missing, forged, expired, wrong-audience or tampered token, and nothing changes', async () => {
    const tokens = await refusedTokens();
    const before = await takeSnapshot(clients, [queueUrl]);

    const answers = [];
    for (const route of AUTHORIZED_ROUTES) {
      for (const [what, authorization] of tokens) answers.push({ route: `${route.method} ${route.path}`, what, ...(await call(route, authorization)) });
    }

    expect(answers.length).toBe(AUTHORIZED_ROUTES.length * tokens.length);
    expect(answers.filter((a) => a.status !== 401 || a.body.message !== 'Unauthorized')).toEqual([]);
    expect(await takeSnapshot(clients, [queueUrl])).toEqual(before);
  }, 60_000);

  it('lets the same route through with the valid token (the refusals above were the token, not the route)', async () => {
    const answer = await hostA.request('GET', `/sessions/${sessionId}`);

    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('LIVE');
  });
});

describe("Access: another host and the session's owner", () => {
  it("answers 404 NOT_FOUND to another host on every route of the session, and changes nothing", async () => {
    const tokenB = `Bearer ${await localToken(cloud.dataDir, HOST_B)}`;
    const tokensBefore = await countIssuedParticipantTokens(clients.logs);
    const before = await takeSnapshot(clients, [queueUrl]);
    const attempts: { route: string; status: number; body: Record<string, unknown> }[] = [];

    for (const route of SESSION_ROUTES) attempts.push({ route: `${route.method} ${route.path}`, ...(await call(route, tokenB)) });
    const extra = [
      await hostB.request('POST', `/sessions/${sessionId}/tokens`, { role: 'HOST', displayName: 'Not the host' }),
      await hostB.request('POST', `/sessions/${sessionId}/commands`, { type: 'SET_VOLUME', volume: 0 }),
      await hostB.request('GET', `/sessions/${sessionId}/commands/${commandId}`),
      await hostB.request('DELETE', `/sessions/${sessionId}`),
    ];

    expect(attempts.length).toBeGreaterThanOrEqual(5);
    for (const answer of [...attempts, ...extra]) {
      expect(answer).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: expect.any(String) } });
    }
    expect(await takeSnapshot(clients, [queueUrl])).toEqual(before);
    const session = await hostA.request('GET', `/sessions/${sessionId}`);
    expect(session.body.status).toBe('LIVE');
    expect((await clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    // The owner's own token request is the fence: once its log line is counted, the log is caught up, and
    // it is the only token issued since the snapshot.
    expect((await hostA.request('POST', `/sessions/${sessionId}/tokens`, { role: 'CALLER', displayName: 'Fence' })).status).toBe(201);
    await eventually(async () => ((await countIssuedParticipantTokens(clients.logs)) > tokensBefore ? true : undefined), 15_000, 'the token log line');
    expect(await countIssuedParticipantTokens(clients.logs)).toBe(tokensBefore + 1);
  }, 60_000);

  it('answers the same 404 for a session that does not exist, so existence is never confirmed', async () => {
    const foreign = await hostB.request('GET', `/sessions/${sessionId}`);
    const missing = await hostB.request('GET', `/sessions/${randomUUID()}`);

    expect({ status: foreign.status, body: foreign.body }).toEqual({ status: missing.status, body: missing.body });
  });

  it('issues caller tokens to the host that publish and subscribe and expire within CALLER_TOKEN_MINUTES', async () => {
    const issuedAt = Math.floor(Date.now() / 1000);
    const caller = await hostA.request('POST', `/sessions/${sessionId}/tokens`, { role: 'CALLER', displayName: 'Caller one' });
    const host = await hostA.request('POST', `/sessions/${sessionId}/tokens`, { role: 'HOST', displayName: 'The host' });

    expect(caller.status).toBe(201);
    const claims = decodeJwt(caller.body.token as string);
    expect(claims.capabilities).toEqual({ allow_publish: true, allow_subscribe: true });
    expect(claims.exp).toBeGreaterThan(issuedAt);
    expect(claims.exp).toBeLessThanOrEqual(issuedAt + CALLER_TOKEN_MINUTES * 60 + 5);
    expect(Date.parse(caller.body.expirationTime as string) / 1000).toBeLessThanOrEqual(issuedAt + CALLER_TOKEN_MINUTES * 60 + 5);
    expect(claims.user_id).not.toBe(HOST_A);
    expect(host.status).toBe(201);
    const hostClaims = decodeJwt(host.body.token as string);
    expect(hostClaims.exp).toBeLessThanOrEqual(issuedAt + HOST_TOKEN_MINUTES * 60 + 5);
    expect(hostClaims.user_id).toBe(HOST_A);
  });

  it('lets the owner end the session, after which another host still gets 404', async () => {
    expect((await hostA.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    const ended = await hostA.waitOver(sessionId, 60_000);

    expect(ended.status).toBe('ENDED');
    expect((await hostB.request('GET', `/sessions/${sessionId}`)).status).toBe(404);
  }, 90_000);
});
