import '../support/env.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { COMMANDS_PER_SESSION_BURST, MAX_LIVE_SESSIONS_PER_HOST, SESSIONS_PER_HOST_PER_HOUR, sessionKey } from '#contract/index';
import { handler as createSession } from '../../../../functions/api/create-session.ts';
import { handler as enqueueCommand } from '../../../../functions/api/enqueue-command.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeRateItems } from '../support/rate-items.ts';
import { HOST_ID, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);

let items: ReturnType<typeof fakeRateItems>;

const startSession = () => createSession(httpApiEvent({ method: 'POST', route: '/sessions', body: { title: 'Show' } }), lambdaContext);
const sendCommand = () =>
  enqueueCommand(
    httpApiEvent({ method: 'POST', route: '/sessions/{sessionId}/commands', pathParameters: { sessionId: SESSION_ID }, body: { type: 'PAUSE_MEDIA' } }),
    lambdaContext,
  );

beforeEach(() => {
  // The buckets refill with time: hold the clock still so a burst is a burst.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T08:00:00Z'));
  documents.reset();
  dynamo.reset();
  sfn.reset();
  sqs.reset();
  items = fakeRateItems(documents);
  const key = sessionKey(SESSION_ID);
  items.set(`${key.pk}|${key.sk}`, sessionItem());
  documents.on(PutCommand).callsFake((input: { Item: Record<string, unknown> & { pk: string; sk: string } }) => {
    items.set(`${input.Item.pk}|${input.Item.sk}`, input.Item);
    return {};
  });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:x:y', startDate: new Date() });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm', SequenceNumber: '1' });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Rate limits: commands per session', () => {
  it('answers 429 RATE_LIMITED with Retry-After once the burst is spent, and queues nothing for it', async () => {
    for (let i = 0; i < COMMANDS_PER_SESSION_BURST; i++) expect((await sendCommand()).statusCode).toBe(202);
    const puts = documents.commandCalls(PutCommand).length;

    const refused = await sendCommand();

    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body ?? '{}')).toEqual({ code: 'RATE_LIMITED', message: expect.stringContaining('commands per second') });
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(documents.commandCalls(PutCommand)).toHaveLength(puts);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, COMMANDS_PER_SESSION_BURST);
  });

  it('does not spend a token on a command for a session the caller does not own', async () => {
    const foreign = await enqueueCommand(
      httpApiEvent({ method: 'POST', route: '/sessions/{sessionId}/commands', pathParameters: { sessionId: SESSION_ID }, body: { type: 'PAUSE_MEDIA' }, sub: 'someone-else' }),
      lambdaContext,
    );

    expect(foreign.statusCode).toBe(404);
    expect(items.has(`RATE#SESSION#${SESSION_ID}|COMMANDS`)).toBe(false);
  });
});

describe('Rate limits: sessions per host', () => {
  it(`refuses a host's session beyond ${MAX_LIVE_SESSIONS_PER_HOST} on air with 429 and leaves no record`, async () => {
    for (let i = 0; i < MAX_LIVE_SESSIONS_PER_HOST; i++) expect((await startSession()).statusCode).toBe(202);

    const refused = await startSession();

    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('on air') });
    expect(refused.headers?.['retry-after']).toMatch(/^\d+$/);
    // The refused start's record was written before its slot was asked for, and is gone again.
    const started = [...items.values()].filter((item) => String(item.pk).startsWith('SESSION#') && item.sessionId !== SESSION_ID);
    expect(started).toHaveLength(MAX_LIVE_SESSIONS_PER_HOST);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, MAX_LIVE_SESSIONS_PER_HOST);
  });

  it(`refuses the ${SESSIONS_PER_HOST_PER_HOUR + 1}th start within the hour even when earlier shows ended, and holds no slot for it`, async () => {
    for (let i = 0; i < SESSIONS_PER_HOST_PER_HOUR; i++) {
      expect((await startSession()).statusCode).toBe(202);
      for (const [id, item] of items) if (id.startsWith('SESSION#') && item.sessionId !== SESSION_ID) item.status = 'ENDED';
    }

    const refused = await startSession();

    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThan(60);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, SESSIONS_PER_HOST_PER_HOUR);
    const slots = [...((items.get(`RATE#HOST#${HOST_ID}|LIVE`)?.sessionIds as Set<string> | undefined) ?? [])];
    expect(slots.map((id) => items.get(`SESSION#${id}|SESSION`)?.status)).toEqual(slots.map(() => 'ENDED'));
  });

  it('lets a start through again once the time a refusal named has passed', async () => {
    for (let i = 0; i < SESSIONS_PER_HOST_PER_HOUR; i++) {
      await startSession();
      for (const [id, item] of items) if (id.startsWith('SESSION#') && item.sessionId !== SESSION_ID) item.status = 'ENDED';
    }
    const refused = await startSession();
    vi.setSystemTime(Date.now() + Number(refused.headers?.['retry-after']) * 1000);

    expect((await startSession()).statusCode).toBe(202);
  });

  it('gives the slot back when the execution cannot start', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('boom'), { name: 'ServiceUnavailable' }));

    expect((await startSession()).statusCode).toBe(500);
    expect(items.get(`RATE#HOST#${HOST_ID}|LIVE`)?.sessionIds).toBeUndefined();
  });
});
