import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CreateParticipantTokenCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { CALLER_TOKEN_MINUTES, HOST_TOKEN_MINUTES } from '#contract/index';
import { handler } from '../../../../functions/api/create-participant-token.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { captureLogs } from '../support/log-capture.ts';
import { HOST_ID, OTHER_HOST_ID, SESSION_ID, STAGE_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ivs = mockClient(IVSRealTimeClient);

const WHIP_URL = 'https://global.whip.live-video.net';
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A participant token shaped as IVS issues them (a JWT carrying whip_url). */
const PARTICIPANT_TOKEN = `${encode({ alg: 'ES384', typ: 'JWT' })}.${encode({
  topic: 'q9vXxAbCdEfG',
  resource: STAGE_ARN,
  jti: 'p-7Hk2LmN9',
  whip_url: WHIP_URL,
  capabilities: { allow_publish: true, allow_subscribe: true },
  exp: 1763975000,
})}.c2lnbmF0dXJlLW9mLXRoZS1wYXJ0aWNpcGFudC10b2tlbi1ub3QtcmVhbA`;

const ask = (body: unknown, sub?: string) =>
  handler(
    httpApiEvent({ method: 'POST', route: '/sessions/{sessionId}/tokens', pathParameters: { sessionId: SESSION_ID }, body, sub }),
    lambdaContext,
  );

beforeEach(() => {
  documents.reset();
  ivs.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem() });
  ivs.on(CreateParticipantTokenCommand).resolves({
    participantToken: { participantId: 'p-7Hk2LmN9', token: PARTICIPANT_TOKEN, expirationTime: new Date('2026-11-24T20:00:00.000Z') },
  });
});

describe('Function: create-participant-token', () => {
  it('issues a host token that publishes and subscribes for HOST_TOKEN_MINUTES', async () => {
    const response = await ask({ role: 'HOST', displayName: 'Ana' });

    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      participantId: 'p-7Hk2LmN9',
      token: PARTICIPANT_TOKEN,
      expirationTime: '2026-11-24T20:00:00.000Z',
      whipUrl: WHIP_URL,
    });
    expect(ivs).toReceiveCommandWith(CreateParticipantTokenCommand, {
      stageArn: STAGE_ARN,
      userId: HOST_ID,
      duration: HOST_TOKEN_MINUTES,
      capabilities: ['PUBLISH', 'SUBSCRIBE'],
      attributes: { displayName: 'Ana', role: 'HOST' },
    });
  });

  it('issues a short-lived caller token', async () => {
    await ask({ role: 'CALLER', displayName: 'Caller from Lisbon' });

    expect(ivs).toReceiveCommandWith(CreateParticipantTokenCommand, {
      duration: CALLER_TOKEN_MINUTES,
      capabilities: ['PUBLISH', 'SUBSCRIBE'],
      userId: expect.stringMatching(/^caller-/),
    });
    expect(CALLER_TOKEN_MINUTES).toBeLessThan(HOST_TOKEN_MINUTES);
  });

  it('puts the token in the body only, never in the logs', async () => {
    const logs = captureLogs();
    try {
      await ask({ role: 'HOST', displayName: 'Ana' });
      expect(logs.text()).toContain('p-7Hk2LmN9');
      expect(logs.text()).not.toContain(PARTICIPANT_TOKEN.split('.')[2]);
      for (const line of logs.lines()) expect(line.sessionId).toBe(SESSION_ID);
    } finally {
      logs.restore();
    }
  });

  it('answers 404 to someone else and issues nothing', async () => {
    const response = await ask({ role: 'HOST', displayName: 'Mallory' }, OTHER_HOST_ID);

    expect(response.statusCode).toBe(404);
    expect(ivs).not.toHaveReceivedAnyCommand();
  });

  it.each([['ENDED'], ['ENDING'], ['FAILED']] as const)('answers 409 for a session that is %s', async (status) => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ status }) });

    const response = await ask({ role: 'HOST', displayName: 'Ana' });

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    expect(ivs).not.toHaveReceivedAnyCommand();
  });

  it('answers 409 for a session whose stage does not exist yet', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'STARTING', stageArn: undefined }) });

    expect((await ask({ role: 'HOST', displayName: 'Ana' })).statusCode).toBe(409);
  });

  it.each([
    ['a missing role', { displayName: 'Ana' }, 400, 'VALIDATION_FAILED'],
    ['an unknown role', { role: 'ADMIN', displayName: 'Ana' }, 400, 'VALIDATION_FAILED'],
    ['a displayName of the wrong type', { role: 'HOST', displayName: ['Ana'] }, 400, 'VALIDATION_FAILED'],
    ['an extra field', { role: 'HOST', displayName: 'Ana', capabilities: ['PUBLISH'] }, 400, 'VALIDATION_FAILED'],
    ['a displayName out of range', { role: 'HOST', displayName: 'a'.repeat(65) }, 400, 'VALIDATION_FAILED'],
    ['a missing body', undefined, 400, 'VALIDATION_FAILED'],
    ['bad JSON', "{role:'HOST'}", 400, 'INVALID_JSON'],
    ['an oversized body', { role: 'HOST', displayName: 'x'.repeat(20_000) }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('refuses %s with %i %s and issues nothing', async (_case, body, status, code) => {
    const response = await ask(body);

    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code, message: expect.any(String) });
    expect(ivs).not.toHaveReceivedAnyCommand();
  });
});
