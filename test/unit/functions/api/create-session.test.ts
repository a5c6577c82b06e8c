import '../support/env.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_EXECUTION_LIMITS, MAX_REQUEST_BODY_BYTES } from '#contract/index';
import { handler } from '../../../../functions/api/create-session.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { fakeIdempotencyTable } from '../support/idempotency-store.ts';
import { HOST_ID } from '../support/sessions.ts';

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

  it.each([
    ['a missing title', {}, 400, 'VALIDATION_FAILED'],
    ['a title of the wrong type', { title: 42 }, 400, 'VALIDATION_FAILED'],
    ['an extra field', { title: 'Show', admin: true }, 400, 'VALIDATION_FAILED'],
    ['a title out of range', { title: 'x'.repeat(201) }, 400, 'VALIDATION_FAILED'],
    ['an array instead of an object', [1, 2], 400, 'VALIDATION_FAILED'],
    ['bad JSON', '{"title": "Show"', 400, 'INVALID_JSON'],
    ['an oversized body', { title: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }, 413, 'PAYLOAD_TOO_LARGE'],
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
});
