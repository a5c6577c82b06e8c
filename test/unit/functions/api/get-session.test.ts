import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../../functions/api/get-session.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { OTHER_HOST_ID, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);

const get = (sessionId: string, sub?: string) =>
  handler(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}', pathParameters: { sessionId }, sub }), lambdaContext);

beforeEach(() => {
  documents.reset();
});

describe('Function: get-session', () => {
  it("answers the owner with the session's public view", async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ endRequested: false, controllerLosses: ['2026-11-24T08:10:00.000Z'] }) });

    const response = await get(SESSION_ID);
    const body = JSON.parse(response.body ?? '{}') as Record<string, unknown>;

    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ sessionId: SESSION_ID, title: 'Morning show', status: 'LIVE' });
    for (const hidden of ['queueUrl', 'taskArn', 'executionArn', 'hostId', 'pk', 'sk', 'controllerLosses']) expect(body).not.toHaveProperty(hidden);
    expect(documents).toReceiveCommandWith(GetCommand, { TableName: 'shelcaster-sessions', Key: { pk: `SESSION#${SESSION_ID}`, sk: 'SESSION' } });
  });

  it('shows the ducking in force: as switched live (nowPlaying), else as the show was created, else the defaults', async () => {
    const created = { enabled: true, depthDb: 18, decks: ['bed'] };
    const live = { enabled: false, depthDb: 18, decks: ['bed'] };
    const ducking = async (item: Record<string, unknown>) => {
      documents.on(GetCommand).resolves({ Item: sessionItem(item) });
      return (JSON.parse((await get(SESSION_ID)).body ?? '{}') as { ducking: unknown }).ducking;
    };
    expect(await ducking({})).toEqual({ enabled: true, depthDb: 12, decks: ['bed'] });
    expect(await ducking({ ducking: created })).toEqual(created);
    const nowPlaying = {
      programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, updatedAt: '2026-11-24T08:00:00.000Z',
      decks: {
        program: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, gainDb: 0 },
        bed: { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume: 1, gainDb: 0 },
        clip: { volume: 1, clips: [] },
        normalizeLoudness: true,
        ducking: live,
      },
    };
    expect(await ducking({ ducking: created, nowPlaying })).toEqual(live);
  });

  it('answers 404 to someone else, exactly as for a session that does not exist', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem() });
    const notOwner = await get(SESSION_ID, OTHER_HOST_ID);
    documents.on(GetCommand).resolves({});
    const missing = await get(SESSION_ID);

    expect(notOwner.statusCode).toBe(404);
    expect(notOwner.body).toBe(missing.body);
    expect(JSON.parse(notOwner.body ?? '{}')).toEqual({ code: 'NOT_FOUND', message: 'The session was not found.' });
  });

  it.each([['not-a-uuid'], ['../../etc/passwd'], ['3F2B8C1E-6D4A-4F7B-9A0E']])('refuses the path id %s with 400 and reads nothing', async (id) => {
    const response = await get(id);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(documents).not.toHaveReceivedCommand(GetCommand);
  });
});
