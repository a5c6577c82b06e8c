import '../support/env.ts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { CommandMessage, MAX_REQUEST_BODY_BYTES, mediaOwnerPrefix, SHOW_ENDED_COMMAND_REASON } from '#contract/index';
import { handler } from '../../../../functions/api/enqueue-command.ts';
import { commandIdFor } from '#commons/keyed-ids';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeIdempotencyTable } from '../support/idempotency-store.ts';
import { TEST_ENV } from '../support/env.ts';
import { commandItem, HOST_ID, OTHER_HOST_ID, QUEUE_URL, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const dynamo = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);

const MEDIA_URL = `s3://${TEST_ENV.MEDIA_BUCKET_NAME}/${mediaOwnerPrefix(HOST_ID)}0b9d6a4e-2f1c-4d8e-9a7b-3c5e1f2a4b6d/intro.mp3`;

const send = (body: unknown, options: { sub?: string; headers?: Record<string, string> } = {}) =>
  handler(
    httpApiEvent({ method: 'POST', route: '/sessions/{sessionId}/commands', pathParameters: { sessionId: SESSION_ID }, body, ...options }),
    lambdaContext,
  );

const json = (response: Awaited<ReturnType<typeof handler>>) => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

const expectNothingWritten = () => {
  expect(documents).not.toHaveReceivedCommand(PutCommand);
  expect(sqs).not.toHaveReceivedAnyCommand();
};

beforeEach(() => {
  documents.reset();
  dynamo.reset();
  sqs.reset();
  // The session; no command record yet (a keyed request looks for one first).
  documents.on(GetCommand).callsFake((input: { Key: { sk: string } }) => (input.Key.sk.startsWith('COMMAND#') ? {} : { Item: sessionItem() }));
  documents.on(PutCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1', SequenceNumber: '1' });
});

describe('Function: enqueue-command', () => {
  it('settles a command FAILED itself when the show was torn down while it was being accepted', async () => {
    // Read LIVE when the request began; ENDED once the command was sent (Teardown may have listed the QUEUED ones before).
    documents.on(GetCommand).resolvesOnce({ Item: sessionItem() }).resolves({ Item: { status: 'ENDED' } });
    documents.on(UpdateCommand).resolves({});

    const response = await send({ type: 'PAUSE_MEDIA' });

    expect(response.statusCode).toBe(202);
    expect(json(response)).toMatchObject({ status: 'FAILED' });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression: '#status = :queued',
      ExpressionAttributeValues: expect.objectContaining({ ':failed': 'FAILED', ':reason': SHOW_ENDED_COMMAND_REASON }),
    });
  });

  it('records the command QUEUED, then sends it in the commands group deduplicated by its id', async () => {
    const response = await send({ type: 'PLAY_MEDIA', programId: 'intro', programUrl: MEDIA_URL, startAtSeconds: 3 });
    const body = json(response);

    expect(response.statusCode).toBe(202);
    expect(body).toEqual({ commandId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'QUEUED' });
    expect(documents).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ sk: `COMMAND#${String(body.commandId)}`, status: 'QUEUED' }),
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(sqs).toReceiveCommandWith(SendMessageCommand, {
      QueueUrl: QUEUE_URL,
      MessageGroupId: 'commands',
      MessageDeduplicationId: body.commandId as string,
    });
    const message = JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '{}') as unknown;
    expect(CommandMessage.parse(message)).toMatchObject({ kind: 'COMMAND', sessionId: SESSION_ID, commandId: body.commandId });
  });

  it.each([
    ['an https URL on a public host', 'https://cdn.example-media.net/shows/intro.mp3'],
  ])('accepts %s', async (_case, programUrl) => {
    expect((await send({ type: 'PLAY_MEDIA', programId: 'p1', programUrl })).statusCode).toBe(202);
  });

  it.each([
    ['a missing type', { volume: 0.5 }],
    ['an unknown command type', { type: 'DANCE' }],
    ['a missing programUrl', { type: 'PLAY_MEDIA', programId: 'p1' }],
    ['a volume of the wrong type', { type: 'SET_VOLUME', volume: 'loud' }],
    ['a volume out of range', { type: 'SET_VOLUME', volume: 1.5 }],
    ['a negative seek', { type: 'SEEK_MEDIA', seconds: -1 }],
    ['an extra field', { type: 'PAUSE_MEDIA', force: true }],
    ['a programId with forbidden characters', { type: 'PLAY_MEDIA', programId: 'a b', programUrl: MEDIA_URL }],
    ['a null body', null],
  ])('refuses %s with 400 VALIDATION_FAILED and writes nothing', async (_case, body) => {
    const response = await send(body === null ? 'null' : body);

    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String), issues: expect.any(Array) });
    expectNothingWritten();
  });

  it.each([
    ['the metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['the task metadata address', 'https://169.254.170.2/v2/credentials'],
    ['loopback', 'https://127.0.0.1/a.mp3'],
    ['a hex address', 'https://0x7f000001/a.mp3'],
    ['user information', 'https://cdn.example.net@127.0.0.1/a.mp3'],
    ['plain http', 'http://cdn.example-media.net/a.mp3'],
    ['another bucket', 's3://someone-elses-bucket/media/a.mp3'],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses a programUrl on %s with 400 and writes nothing', async (_case, programUrl) => {
    const response = await send({ type: 'PLAY_MEDIA', programId: 'p1', programUrl });

    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'body.programUrl' })] });
    expectNothingWritten();
  });

  it.each([
    ['another user\'s upload', `media/${OTHER_HOST_ID}/0b9d6a4e/intro.mp3`],
    ['a key outside any user\'s uploads', 'media/jingles/intro.mp3'],
    ['a user id that only starts like the host\'s', `media/${HOST_ID}x/0b9d6a4e/intro.mp3`],
  ])('refuses a PLAY_MEDIA of %s with 400 and writes nothing', async (_case, key) => {
    const response = await send({ type: 'PLAY_MEDIA', programId: 'p1', programUrl: `s3://${TEST_ENV.MEDIA_BUCKET_NAME}/${key}` });

    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'body.programUrl', message: 'an s3 programUrl must name one of your own uploads' }],
    });
    expectNothingWritten();
  });

  it('refuses bad JSON with 400 INVALID_JSON and an oversized body with 413', async () => {
    const bad = await send('{"type":"PAUSE_MEDIA",}');
    const big = await send({ type: 'PLAY_MEDIA', programId: 'p', programUrl: `https://cdn.example.net/${'a'.repeat(MAX_REQUEST_BODY_BYTES)}` });

    expect([bad.statusCode, json(bad).code]).toEqual([400, 'INVALID_JSON']);
    expect([big.statusCode, json(big).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expectNothingWritten();
  });

  it('answers 404 to someone else and writes nothing', async () => {
    const response = await send({ type: 'PAUSE_MEDIA' }, { sub: OTHER_HOST_ID });

    expect(response.statusCode).toBe(404);
    expectNothingWritten();
  });

  it.each([['ENDED'], ['ENDING'], ['FAILED']] as const)('answers 409 for a session that is %s', async (status) => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ status }) });

    const response = await send({ type: 'PAUSE_MEDIA' });

    expect(response.statusCode).toBe(409);
    expectNothingWritten();
  });

  it('marks the command FAILED and answers 500 when the queue refuses it', async () => {
    sqs.on(SendMessageCommand).rejects(Object.assign(new Error('Queue is gone'), { name: 'QueueDoesNotExist' }));
    documents.on(UpdateCommand).resolves({});

    const response = await send({ type: 'STOP_MEDIA' });

    expect(response.statusCode).toBe(500);
    expect(json(response)).toEqual({ code: 'INTERNAL_ERROR', message: 'An internal error occurred.' });
    expect(documents).toReceiveCommandWith(UpdateCommand, { ExpressionAttributeValues: expect.objectContaining({ ':failed': 'FAILED' }) });
  });

  it('sends a retried command once when it carries the same Idempotency-Key', async () => {
    fakeIdempotencyTable(dynamo);

    const first = await send({ type: 'SET_VOLUME', volume: 0.4 }, { headers: { 'idempotency-key': 'vol-1' } });
    const second = await send({ type: 'SET_VOLUME', volume: 0.4 }, { headers: { 'idempotency-key': 'vol-1' } });

    expect(json(second)).toEqual(json(first));
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });
});

describe('Function: enqueue-command, a retry with the Idempotency-Key of an attempt whose process died', () => {
  const KEY = 'vol-7';
  const COMMAND = { type: 'SET_VOLUME', volume: 0.4 } as const;
  /** The id the first attempt recorded the command under: derived from the caller, the session and the key. */
  const KEYED_ID = commandIdFor({ hostId: HOST_ID, sessionId: SESSION_ID, idempotencyKey: KEY });
  let session = sessionItem();
  /** The command record the dead attempt left (none: it died before recording it). */
  let recorded: Record<string, unknown> | undefined;
  const retry = (body: unknown = COMMAND) => send(body, { headers: { 'idempotency-key': KEY } });
  const left = (overrides: Parameters<typeof commandItem>[0] = {}) => commandItem({ commandId: KEYED_ID, command: COMMAND, ...overrides });

  beforeEach(() => {
    // The dead attempt's idempotency record has expired (its in-progress expiry passed): this request runs.
    fakeIdempotencyTable(dynamo);
    session = sessionItem();
    recorded = undefined;
    documents.on(GetCommand).callsFake((input: { Key: { sk: string } }) => ({ Item: input.Key.sk.startsWith('COMMAND#') ? recorded : session }));
    documents.on(UpdateCommand).resolves({});
  });

  it('records the command under the id derived from the caller, the session and the key', async () => {
    const response = await retry();

    expect(json(response)).toEqual({ commandId: KEYED_ID, status: 'QUEUED' });
    expect(documents).toReceiveCommandWith(PutCommand, { Item: expect.objectContaining({ sk: `COMMAND#${KEYED_ID}` }) });
  });

  it('sends a command left QUEUED again, deduplicated by its id, and answers as the first attempt would have', async () => {
    recorded = left({ status: 'QUEUED' });

    const response = await retry();

    expect(response.statusCode).toBe(202);
    expect(json(response)).toEqual({ commandId: KEYED_ID, status: 'QUEUED' });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
    // Not counted against the command rate again (that is an UpdateCommand of the session's rate item).
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toReceiveCommandWith(SendMessageCommand, { QueueUrl: QUEUE_URL, MessageDeduplicationId: KEYED_ID });
    const message = CommandMessage.parse(JSON.parse(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody ?? '{}'));
    expect(message).toMatchObject({ commandId: KEYED_ID, acceptedAt: recorded.acceptedAt, command: COMMAND });
  });

  it.each([['APPLIED'], ['FAILED']] as const)('answers a command already %s as it is and sends nothing', async (status) => {
    recorded = left({ status, appliedAt: '2026-11-24T08:05:01.000Z' });

    const response = await retry();

    expect([response.statusCode, json(response)]).toEqual([202, { commandId: KEYED_ID, status }]);
    expect(sqs).not.toHaveReceivedAnyCommand();
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });

  it('refuses another command under a key whose command is recorded with 409 CONFLICT, and changes nothing', async () => {
    recorded = left({ status: 'QUEUED' });

    const response = await retry({ type: 'SET_VOLUME', volume: 0.9 });

    expect([response.statusCode, json(response).code]).toEqual([409, 'CONFLICT']);
    expectNothingWritten();
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('settles FAILED a command left QUEUED when the show has ended since, and sends nothing', async () => {
    recorded = left({ status: 'QUEUED' });
    session = sessionItem({ status: 'ENDED' });

    const response = await retry();

    expect(json(response)).toEqual({ commandId: KEYED_ID, status: 'FAILED' });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      Key: { pk: `SESSION#${SESSION_ID}`, sk: `COMMAND#${KEYED_ID}` },
      ExpressionAttributeValues: expect.objectContaining({ ':failed': 'FAILED', ':reason': SHOW_ENDED_COMMAND_REASON }),
    });
    expect(sqs).not.toHaveReceivedAnyCommand();
  });

  it('leaves a command left QUEUED to Teardown while the show is ending', async () => {
    recorded = left({ status: 'QUEUED' });
    session = sessionItem({ status: 'ENDING' });

    const response = await retry();

    expect([response.statusCode, json(response)]).toEqual([202, { commandId: KEYED_ID, status: 'QUEUED' }]);
    expect(sqs).not.toHaveReceivedAnyCommand();
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('goes on from the record when an attempt with the same key recorded the command first', async () => {
    documents.on(PutCommand).callsFake(() => {
      recorded = left({ status: 'QUEUED' });
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });

    const response = await retry();

    expect(json(response)).toEqual({ commandId: KEYED_ID, status: 'QUEUED' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });

  it('answers 409 with Retry-After while the attempt with the key is still in progress', async () => {
    let release: () => void = () => undefined;
    sqs.on(SendMessageCommand).callsFake(() => new Promise((resolve) => (release = () => resolve({ MessageId: 'm-1' }))));
    const first = retry();
    await vi.waitFor(() => expect(sqs).toHaveReceivedCommand(SendMessageCommand));

    const second = await retry();
    release();

    expect([second.statusCode, json(second).code]).toEqual([409, 'CONFLICT']);
    // The canned context has 10 s left: the attempt in progress holds the key 10 s at most.
    expect(second.headers).toMatchObject({ 'retry-after': '10' });
    expect(json(await first)).toEqual({ commandId: KEYED_ID, status: 'QUEUED' });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
  });
});
