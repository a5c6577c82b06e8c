import '../../support/env.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { perCallerLimitOf, sessionKey } from '#contract/index';
import { handler as getSession } from '../../../../../functions/api/get-session.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeRateItems } from '../../support/rate-items.ts';
import { HOST_ID, OTHER_HOST_ID, SESSION_ID, sessionItem } from '../../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ROUTE = 'GET /sessions/{sessionId}';
const LIMIT = perCallerLimitOf(ROUTE)!;
let items: ReturnType<typeof fakeRateItems>;

const get = (sub: string | null, sessionId = SESSION_ID) =>
  getSession(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}', pathParameters: { sessionId }, sub }), lambdaContext);

beforeEach(() => {
  // Every request at the same instant: a burst is a burst.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T08:00:00Z'));
  documents.reset();
  items = fakeRateItems(documents);
  const key = sessionKey(SESSION_ID);
  items.set(`${key.pk}|${key.sk}`, sessionItem());
  items.set(`SESSION#other|SESSION`, sessionItem({ sessionId: 'other', hostId: OTHER_HOST_ID }));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Middleware: callerRateLimit', () => {
  it(`answers a caller's requests on a route up to its burst (${LIMIT.burst}), then 429 with Retry-After`, async () => {
    for (let i = 0; i < LIMIT.burst; i++) expect((await get(HOST_ID)).statusCode).toBe(200);

    const refused = await get(HOST_ID);

    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining(ROUTE) });
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it("leaves other callers their own budget: one caller's flood throttles nobody else", async () => {
    for (let i = 0; i <= LIMIT.burst; i++) await get(HOST_ID);

    expect((await get(OTHER_HOST_ID, 'a0000000-0000-4000-8000-000000000001')).statusCode).toBe(404);
    expect(items.has(`RATE#CALLER#${OTHER_HOST_ID}|ROUTE#${ROUTE}`)).toBe(false);
  });

  it('counts neither refused nor failed requests, and a refusal writes nothing', async () => {
    for (let i = 0; i < 3 * LIMIT.burst; i++) expect((await get(OTHER_HOST_ID)).statusCode).toBe(404);
    expect((await get(HOST_ID, 'not-a-uuid')).statusCode).toBe(400);
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);

    expect((await get(OTHER_HOST_ID, 'a0000000-0000-4000-8000-000000000001')).statusCode).toBe(404);
  });

  it('lets the caller through again once the time the refusal named has passed', async () => {
    for (let i = 0; i <= LIMIT.burst; i++) await get(HOST_ID);
    const refused = await get(HOST_ID);

    vi.setSystemTime(Date.now() + Number(refused.headers?.['retry-after']) * 1000);

    expect((await get(HOST_ID)).statusCode).toBe(200);
  });

  it('counts an unauthenticated request against nobody', async () => {
    expect((await get(null)).statusCode).toBe(401);
    expect([...items.keys()].filter((k) => k.startsWith('RATE#'))).toEqual([]);
  });
});
