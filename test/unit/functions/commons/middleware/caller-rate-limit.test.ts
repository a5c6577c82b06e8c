import '../../support/env.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { perCallerLimitOf, sessionKey } from '#contract/index';
import { handler as getSession } from '../../../../../functions/api/get-session.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeRateItems } from '../../support/rate-items.ts';
import { OTHER_HOST_ID, SESSION_ID, sessionItem } from '../../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ROUTE = 'GET /sessions/{sessionId}';
const LIMIT = perCallerLimitOf(ROUTE)!;
const NOT_HERS = 'a0000000-0000-4000-8000-000000000001';
let items: ReturnType<typeof fakeRateItems>;
/** Each test its own caller: the environment remembers refused callers (as a warm Lambda does). */
let caller: string;
let callers = 0;

const get = (sub: string | null, sessionId = SESSION_ID) =>
  getSession(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}', pathParameters: { sessionId }, sub }), lambdaContext);

beforeEach(() => {
  // Every request at the same instant: a burst is a burst.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T08:00:00Z'));
  documents.reset();
  items = fakeRateItems(documents);
  caller = `caller-${++callers}`;
  const key = sessionKey(SESSION_ID);
  items.set(`${key.pk}|${key.sk}`, sessionItem({ hostId: caller }));
});

afterEach(() => {
  vi.useRealTimers();
});

/** Sends requests until one is refused; answers how many were answered before it. */
async function untilRefused(max = 3 * LIMIT.burst): Promise<{ answered: number; refused: Awaited<ReturnType<typeof get>> }> {
  for (let answered = 0; answered < max; answered++) {
    const response = await get(caller);
    if (response.statusCode === 429) return { answered, refused: response };
    expect(response.statusCode).toBe(200);
  }
  throw new Error(`never refused after ${max} requests`);
}

describe('Middleware: callerRateLimit', () => {
  it(`answers a caller's burst (${LIMIT.burst}) on a route, then 429 with Retry-After`, async () => {
    const { answered, refused } = await untilRefused();

    // The request that found the bucket spent was answered, not counted; the next ones are refused.
    expect(answered).toBe(LIMIT.burst + 1);
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining(ROUTE) });
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('refuses without reading or writing anything', async () => {
    await untilRefused();
    documents.resetHistory();

    expect((await get(caller)).statusCode).toBe(429);
    expect(documents).not.toHaveReceivedAnyCommand();
  });

  it("leaves other callers their own budget: one caller's flood throttles nobody else", async () => {
    await untilRefused();

    expect((await get(OTHER_HOST_ID, NOT_HERS)).statusCode).toBe(404);
    expect(items.has(`RATE#CALLER#${OTHER_HOST_ID}|ROUTE#${ROUTE}`)).toBe(false);
  });

  it('counts neither invalid nor failed requests', async () => {
    for (let i = 0; i < 3 * LIMIT.burst; i++) expect((await get(caller, NOT_HERS)).statusCode).toBe(404);
    expect((await get(caller, 'not-a-uuid')).statusCode).toBe(400);

    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect((await get(caller)).statusCode).toBe(200);
  });

  it('counts an unauthenticated request against nobody', async () => {
    expect((await get(null)).statusCode).toBe(401);
    expect(documents).not.toHaveReceivedCommand(GetCommand);
    expect([...items.keys()].filter((k) => k.startsWith('RATE#'))).toEqual([]);
  });

  it('lets the caller through again once the time the refusal named has passed', async () => {
    const { refused } = await untilRefused();

    vi.setSystemTime(Date.now() + Number(refused.headers?.['retry-after']) * 1000);

    expect((await get(caller)).statusCode).toBe(200);
  });
});
