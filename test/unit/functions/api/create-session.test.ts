import '../support/env.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_EXECUTION_LIMITS, MAX_LIVE_SESSIONS_PER_ACCOUNT, SESSION_START_ABANDONED_SECONDS, MAX_LIVE_SESSIONS_PER_HOST, MAX_REQUEST_BODY_BYTES } from '#contract/index';
import { handler } from '../../../../functions/api/create-session.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeIdempotencyTable } from '../support/idempotency-store.ts';
import { fakeRateItems } from '../support/rate-items.ts';
import { HOST_ID } from '../support/sessions.ts';
import { sessionIdFor } from '#commons/keyed-ids';

const documents = mockClient(DynamoDBDocumentClient);
const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

const request = (body: unknown, headers: Record<string, string | undefined> = {}) =>
  handler(httpApiEvent({ method: 'POST', route: '/sessions', body, headers }), lambdaContext);

const parse = (response: Awaited<ReturnType<typeof handler>>) => ({
  statusCode: response.statusCode,
  body: JSON.parse(response.body ?? '{}') as Record<string, unknown>,
});

beforeEach(() => {
  documents.reset();
  dynamo.reset();
  sfn.reset();
  documents.on(GetCommand).resolves({});
  documents.on(PutCommand).resolves({});
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

afterEach(() => {
  documents.reset();
});

describe('Function: create-session', () => {
  it('writes the STARTING record with a condition, starts the execution named after the session, and answers 202', async () => {
    const { statusCode, body } = parse(await request({ title: 'Morning show' }));

    expect(statusCode).toBe(202);
    expect(body).toEqual({ sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), executionArn: expect.any(String), status: 'STARTING' });
    expect(body.executionArn).toBe(
      `arn:aws:states:us-east-1:123456789012:execution:shelcaster-session-lifecycle:${String(body.sessionId)}`,
    );
    expect(documents).toReceiveCommandWith(PutCommand, {
      TableName: 'shelcaster-sessions',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ sessionId: body.sessionId, hostId: HOST_ID, status: 'STARTING', executionArn: body.executionArn }),
    });
    expect(sfn).toReceiveCommandWith(StartExecutionCommand, {
      name: body.sessionId as string,
      input: JSON.stringify({ sessionId: body.sessionId, hostId: HOST_ID, limits: DEFAULT_EXECUTION_LIMITS }),
    });
  });

  it("keeps the show's ducking on the record, the fields not given at their defaults", async () => {
    const { statusCode } = parse(await request({ title: 'Produced show', ducking: { depthDb: 18, decks: ['bed', 'program'] } }));
    expect(statusCode).toBe(202);
    expect(documents).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ title: 'Produced show', ducking: { enabled: true, depthDb: 18, decks: ['bed', 'program'] } }),
    });
  });

  it.each([
    ['a missing title', {}, 400, 'VALIDATION_FAILED'],
    ['a title of the wrong type', { title: 42 }, 400, 'VALIDATION_FAILED'],
    ['an extra field', { title: 'Show', admin: true }, 400, 'VALIDATION_FAILED'],
    ['a title out of range', { title: 'x'.repeat(201) }, 400, 'VALIDATION_FAILED'],
    ['an array instead of an object', [1, 2], 400, 'VALIDATION_FAILED'],
    ['bad JSON', '{"title": "Show"', 400, 'INVALID_JSON'],
    ['an oversized body', { title: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }, 413, 'PAYLOAD_TOO_LARGE'],
    ['a ducking depth out of range', { title: 'Show', ducking: { depthDb: 60 } }, 400, 'VALIDATION_FAILED'],
    ['ducking the clip deck', { title: 'Show', ducking: { decks: ['clip'] } }, 400, 'VALIDATION_FAILED'],
    ['an unknown ducking field', { title: 'Show', ducking: { attackSeconds: 1 } }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s with %i %s and changes nothing', async (_case, body, status, code) => {
    const { statusCode, body: answer } = parse(await request(body));

    expect(statusCode).toBe(status);
    expect(answer).toMatchObject({ code, message: expect.any(String) });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refuses a body that is not declared as JSON with 415', async () => {
    const { statusCode, body } = parse(await request({ title: 'Show' }, { 'content-type': 'text/plain' }));

    expect(statusCode).toBe(415);
    expect(body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('lists the field problems of a 400', async () => {
    const { body } = parse(await request({ title: 7, extra: 1 }));

    expect(body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('body') })]));
  });

  it('answers 401 when the request carries no subject', async () => {
    const response = await handler(httpApiEvent({ method: 'POST', route: '/sessions', body: { title: 'x' }, sub: null }), lambdaContext);

    expect(response.statusCode).toBe(401);
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers a generic 500 without internals and marks the record FAILED when the execution cannot start', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('StateMachineDoesNotExist: arn:aws:states:secret-internal'), { name: 'StateMachineDoesNotExist' }));
    documents.on(UpdateCommand).resolves({ Attributes: { sessionId: 'x' } });

    const { statusCode, body } = parse(await request({ title: 'Morning show' }));

    expect(statusCode).toBe(500);
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: 'An internal error occurred.' });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':f0': 'FAILED', ':f1': 'STEP_FAILED' }),
    });
  });

  it('returns the first answer to a retry with the same Idempotency-Key and starts one execution', async () => {
    const stored = fakeIdempotencyTable(dynamo);

    const first = parse(await request({ title: 'Morning show' }, { 'idempotency-key': 'retry-me-1' }));
    const second = parse(await request({ title: 'Morning show' }, { 'idempotency-key': 'retry-me-1' }));

    expect(first.statusCode).toBe(202);
    expect(second).toEqual(first);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(stored.size).toBe(1);
  });

  it('keeps Idempotency-Keys apart per host', async () => {
    fakeIdempotencyTable(dynamo);

    await request({ title: 'Morning show' }, { 'idempotency-key': 'shared-key' });
    await handler(
      httpApiEvent({ method: 'POST', route: '/sessions', body: { title: 'Morning show' }, headers: { 'idempotency-key': 'shared-key' }, sub: 'someone-else' }),
      lambdaContext,
    );

    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('answers 409 when an Idempotency-Key is reused with another body', async () => {
    fakeIdempotencyTable(dynamo);

    await request({ title: 'Morning show' }, { 'idempotency-key': 'k-2' });
    const { statusCode, body } = parse(await request({ title: 'Evening show' }, { 'idempotency-key': 'k-2' }));

    expect(statusCode).toBe(409);
    expect(body.code).toBe('CONFLICT');
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  describe('live-session limits under concurrent starts', () => {
    /** The table in memory; a session record's write takes a while, so concurrent starts overlap it. */
    const slowRecordWrites = () =>
      fakeRateItems(documents, { beforePut: (item) => new Promise((resolve) => setTimeout(resolve, String(item.pk).startsWith('SESSION#') ? 20 : 0)) });
    const sessionsIn = (items: Map<string, Record<string, unknown>>) => [...items.keys()].filter((k) => k.startsWith('SESSION#'));
    const slotsOf = (items: Map<string, Record<string, unknown>>, key: string) => [...((items.get(key)?.sessionIds as Set<string> | undefined) ?? [])];

    it(`grants exactly ${MAX_LIVE_SESSIONS_PER_HOST} of six concurrent starts by one host, and the refused ones leave nothing`, async () => {
      const items = slowRecordWrites();

      const answers = (await Promise.all(Array.from({ length: 6 }, () => request({ title: 'Morning show' })))).map(parse);

      const granted = answers.filter((a) => a.statusCode === 202);
      expect(granted).toHaveLength(MAX_LIVE_SESSIONS_PER_HOST);
      expect(answers.filter((a) => a.statusCode === 429).map((a) => a.body.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, MAX_LIVE_SESSIONS_PER_HOST);
      const grantedIds = granted.map((a) => a.body.sessionId as string).sort();
      expect(slotsOf(items, `RATE#HOST#${HOST_ID}|LIVE`).sort()).toEqual(grantedIds);
      expect(slotsOf(items, 'RATE#ACCOUNT|LIVE').sort()).toEqual(grantedIds);
      expect(sessionsIn(items).sort()).toEqual(grantedIds.map((id) => `SESSION#${id}|SESSION`));
    });

    it(`grants at most ${MAX_LIVE_SESSIONS_PER_ACCOUNT} concurrent starts across hosts (IVS's composition quota)`, async () => {
      const items = slowRecordWrites();
      const hosts = Array.from({ length: MAX_LIVE_SESSIONS_PER_ACCOUNT + 2 }, (_, i) => `host-${i}`);

      const answers = (
        await Promise.all(hosts.map((sub) => handler(httpApiEvent({ method: 'POST', route: '/sessions', body: { title: 'Show' }, sub }), lambdaContext)))
      ).map(parse);

      expect(answers.filter((a) => a.statusCode === 202)).toHaveLength(MAX_LIVE_SESSIONS_PER_ACCOUNT);
      const refused = answers.filter((a) => a.statusCode === 429);
      expect(refused).toHaveLength(2);
      expect(refused[0]!.body.message).toMatch(/shows on air/);
      expect(slotsOf(items, 'RATE#ACCOUNT|LIVE')).toHaveLength(MAX_LIVE_SESSIONS_PER_ACCOUNT);
      expect(sessionsIn(items)).toHaveLength(MAX_LIVE_SESSIONS_PER_ACCOUNT);
      // The refused hosts hold no slot of their own either.
      expect(hosts.flatMap((h) => slotsOf(items, `RATE#HOST#${h}|LIVE`))).toHaveLength(MAX_LIVE_SESSIONS_PER_ACCOUNT);
    });
  });
});

describe('Function: create-session, a retry with the Idempotency-Key of an attempt whose process died', () => {
  const KEY = 'start-7';
  /** The id the first attempt recorded the session under: derived from the caller and the key. */
  const KEYED_ID = sessionIdFor({ hostId: HOST_ID, idempotencyKey: KEY });
  const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:shelcaster-session-lifecycle:${KEYED_ID}`;
  const HOST_SLOTS = `RATE#HOST#${HOST_ID}|LIVE`;
  const ACCOUNT_SLOTS = 'RATE#ACCOUNT|LIVE';
  const START_TOKENS = `RATE#HOST#${HOST_ID}|SESSIONS`;
  let items: Map<string, Record<string, unknown>>;
  const retry = (body: unknown = { title: 'Morning show' }) => request(body, { 'idempotency-key': KEY });
  const slotsOf = (key: string) => [...((items.get(key)?.sessionIds as Set<string> | undefined) ?? [])].sort();
  const sessionRecords = () => [...items.keys()].filter((k) => k.startsWith('SESSION#'));
  /** What the dead attempt left: its session's record, and the slots it had taken. */
  const left = (status: string, slots: string[] = []) => {
    items.set(`SESSION#${KEYED_ID}|SESSION`, {
      pk: `SESSION#${KEYED_ID}`,
      sk: 'SESSION',
      sessionId: KEYED_ID,
      hostId: HOST_ID,
      title: 'Morning show',
      status,
      createdAt: '2026-11-24T08:00:00.000Z',
      updatedAt: '2026-11-24T08:00:00.000Z',
      executionArn: EXECUTION_ARN,
    });
    for (const key of slots) items.set(key, { ...(items.get(key) ?? {}), sessionIds: new Set([...((items.get(key)?.sessionIds as Set<string>) ?? []), KEYED_ID]) });
  };

  beforeEach(() => {
    // The dead attempt's idempotency record has expired (its in-progress expiry passed): this request runs.
    fakeIdempotencyTable(dynamo);
    items = fakeRateItems(documents);
  });

  it('records the session under the id derived from the caller and the key, and names the execution after it', async () => {
    const { statusCode, body } = parse(await retry());

    expect([statusCode, body]).toEqual([202, { sessionId: KEYED_ID, executionArn: EXECUTION_ARN, status: 'STARTING' }]);
    expect(sfn).toReceiveCommandWith(StartExecutionCommand, { name: KEYED_ID });
  });

  it.each([
    ['before taking its slots', []],
    ['at StartExecution, holding its slots', [HOST_SLOTS, ACCOUNT_SLOTS]],
  ])('completes the start of a session left STARTING %s: one record, one slot each, its execution started', async (_when, slots) => {
    left('STARTING', slots);

    const { statusCode, body } = parse(await retry());

    expect([statusCode, body]).toEqual([202, { sessionId: KEYED_ID, executionArn: EXECUTION_ARN, status: 'STARTING' }]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toReceiveCommandWith(StartExecutionCommand, {
      name: KEYED_ID,
      input: JSON.stringify({ sessionId: KEYED_ID, hostId: HOST_ID, limits: DEFAULT_EXECUTION_LIMITS }),
    });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
    expect(sessionRecords()).toEqual([`SESSION#${KEYED_ID}|SESSION`]);
    expect(slotsOf(HOST_SLOTS)).toEqual([KEYED_ID]);
    expect(slotsOf(ACCOUNT_SLOTS)).toEqual([KEYED_ID]);
    // The session-start token is not taken again for the same start.
    expect(items.has(START_TOKENS)).toBe(false);
  });

  it.each([['LIVE'], ['ENDED'], ['FAILED']])('answers a session already %s as it is, and starts nothing', async (status) => {
    left(status);

    const { statusCode, body } = parse(await retry());

    expect([statusCode, body]).toEqual([202, { sessionId: KEYED_ID, executionArn: EXECUTION_ARN, status }]);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(documents).not.toHaveReceivedCommand(PutCommand);
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses another request under a key whose session is recorded with 409 CONFLICT, and changes nothing', async () => {
    left('STARTING');

    const { statusCode, body } = parse(await retry({ title: 'Evening show' }));

    expect([statusCode, body.code]).toEqual([409, 'CONFLICT']);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect(items.get(`SESSION#${KEYED_ID}|SESSION`)?.status).toBe('STARTING');
  });

  it('refuses with 429 a session left STARTING whose slots are taken by other shows meanwhile, and leaves nothing of it', async () => {
    left('STARTING');
    const others = Array.from({ length: MAX_LIVE_SESSIONS_PER_HOST }, (_, i) => `live-${i}`);
    for (const id of others) items.set(`SESSION#${id}|SESSION`, { pk: `SESSION#${id}`, sk: 'SESSION', sessionId: id, status: 'LIVE' });
    items.set(HOST_SLOTS, { sessionIds: new Set(others) });

    const { statusCode, body } = parse(await retry());

    expect([statusCode, body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(items.has(`SESSION#${KEYED_ID}|SESSION`)).toBe(false);
    expect(slotsOf(HOST_SLOTS)).toEqual(others);
    expect(slotsOf(ACCOUNT_SLOTS)).toEqual([]);
  });

  it(`holds the limit of ${MAX_LIVE_SESSIONS_PER_HOST} when the retry races new starts: the resumed session keeps its slot`, async () => {
    left('STARTING', [HOST_SLOTS, ACCOUNT_SLOTS]);

    const [resumed, ...fresh] = (await Promise.all([retry(), ...Array.from({ length: 4 }, () => request({ title: 'Other show' }))])).map(parse);

    expect([resumed!.statusCode, resumed!.body.sessionId]).toEqual([202, KEYED_ID]);
    const granted = fresh.filter((a) => a.statusCode === 202).map((a) => a.body.sessionId as string);
    expect(granted).toHaveLength(MAX_LIVE_SESSIONS_PER_HOST - 1);
    expect(fresh.filter((a) => a.statusCode === 429)).toHaveLength(4 - granted.length);
    expect(slotsOf(HOST_SLOTS)).toEqual([KEYED_ID, ...granted].sort());
    expect(sessionRecords().sort()).toEqual([KEYED_ID, ...granted].map((id) => `SESSION#${id}|SESSION`).sort());
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, MAX_LIVE_SESSIONS_PER_HOST);
  });

  it('takes the start over (startAttemptAt) before completing it, so it is not taken for an abandoned start meanwhile', async () => {
    left('STARTING', [HOST_SLOTS, ACCOUNT_SLOTS]);
    const before = Date.now();

    await retry();

    const startAttemptAt = Date.parse(items.get(`SESSION#${KEYED_ID}|SESSION`)?.startAttemptAt as string);
    expect(startAttemptAt).toBeGreaterThanOrEqual(before);
    const calls = documents.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(calls.findIndex((c) => c.Key?.pk === `SESSION#${KEYED_ID}`)).toBeLessThan(calls.findIndex((c) => c.Key?.pk === `RATE#HOST#${HOST_ID}`));
  });

  it('answers a session recorded FAILED as an abandoned start between its read and the take-over as it is, and starts nothing', async () => {
    left('STARTING', [HOST_SLOTS, ACCOUNT_SLOTS]);
    let reads = 0;
    const read = documents.on(GetCommand);
    read.callsFake((input: { Key: { pk: string; sk: string } }) => {
      const item = items.get(`${input.Key.pk}|${input.Key.sk}`);
      if (input.Key.pk === `SESSION#${KEYED_ID}` && reads++ === 0 && item) {
        // The session as the retry read it; then a start that found the slots full records it FAILED.
        const asRead = { ...item };
        items.set(`${input.Key.pk}|${input.Key.sk}`, { ...item, status: 'FAILED', reason: 'STEP_FAILED' });
        return { Item: asRead };
      }
      return { Item: item };
    });

    const { statusCode, body } = parse(await retry());

    expect([statusCode, body]).toEqual([202, { sessionId: KEYED_ID, executionArn: EXECUTION_ARN, status: 'FAILED' }]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('goes on from the record when an attempt with the same key wrote it first', async () => {
    documents.on(PutCommand).callsFake(() => {
      left('STARTING', [HOST_SLOTS, ACCOUNT_SLOTS]);
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });

    const { statusCode, body } = parse(await retry());

    expect([statusCode, body.sessionId]).toEqual([202, KEYED_ID]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(slotsOf(HOST_SLOTS)).toEqual([KEYED_ID]);
  });
});

describe('Function: create-session, starts abandoned without a key', () => {
  it('records FAILED the sessions whose requests died before starting their execution, and starts the new show in their slot', async () => {
    const items = fakeRateItems(documents);
    const longAgo = new Date(Date.now() - (SESSION_START_ABANDONED_SECONDS + 5) * 1000).toISOString();
    const abandoned = Array.from({ length: MAX_LIVE_SESSIONS_PER_HOST }, (_, i) => `abandoned-${i}`);
    for (const id of abandoned) {
      items.set(`SESSION#${id}|SESSION`, { pk: `SESSION#${id}`, sk: 'SESSION', sessionId: id, hostId: HOST_ID, status: 'STARTING', createdAt: longAgo, startAttemptAt: longAgo, executionArn: `arn:x:${id}` });
    }
    items.set(`RATE#HOST#${HOST_ID}|LIVE`, { sessionIds: new Set(abandoned) });
    items.set('RATE#ACCOUNT|LIVE', { sessionIds: new Set(abandoned) });
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    const { statusCode, body } = parse(await request({ title: 'Morning show' }));

    expect(statusCode).toBe(202);
    expect([...(items.get(`RATE#HOST#${HOST_ID}|LIVE`)?.sessionIds as Set<string>)]).toEqual([body.sessionId]);
    for (const id of abandoned) expect(items.get(`SESSION#${id}|SESSION`)).toMatchObject({ status: 'FAILED', reason: 'STEP_FAILED' });
  });
});
