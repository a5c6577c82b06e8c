import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sessionKey, trackKey, type RunOfShowItem, type SessionRecord } from '#contract/index';
import { handler as getRunOfShow } from '../../../../functions/api/get-run-of-show.ts';
import { handler as editRunOfShow } from '../../../../functions/api/edit-run-of-show.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { HOST_ID, OTHER_HOST_ID, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const TRACK_ID = '0b7c2f4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f';
const ITEM_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const ITEM_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const item = (itemId: string, extra: Partial<RunOfShowItem> = {}): RunOfShowItem => ({
  itemId,
  trackId: TRACK_ID,
  title: 'Intro',
  programUrl: 's3://bucket/media/host/intro.wav',
  deck: 'program',
  fadeInSeconds: 0,
  crossfadeSeconds: 0,
  fadeOutSeconds: 0,
  autoAdvance: false,
  ...extra,
});

const parse = (response: { statusCode?: number; body?: string }) => ({ statusCode: response.statusCode, body: JSON.parse(response.body ?? '{}') as Record<string, unknown> });
const path = { sessionId: SESSION_ID };
const edit = async (body: unknown, sub?: string) =>
  parse(await editRunOfShow(httpApiEvent({ method: 'POST', route: '/sessions/{sessionId}/run-of-show', pathParameters: path, body, sub }), lambdaContext));
const read = async (sub?: string) => parse(await getRunOfShow(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}/run-of-show', pathParameters: path, sub }), lambdaContext));

/** The session as stored, and an UpdateCommand on it that answers the record as written. */
function storedSession(overrides: Partial<SessionRecord> = {}) {
  documents.on(GetCommand, { Key: sessionKey(SESSION_ID) }).resolves({ Item: sessionItem(overrides) });
  documents.on(UpdateCommand, { Key: sessionKey(SESSION_ID) }).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => ({
    Attributes: sessionItem({ ...overrides, runOfShow: input.ExpressionAttributeValues[':items'] as RunOfShowItem[], runOfShowVersion: input.ExpressionAttributeValues[':next'] as number }),
  }));
}

beforeEach(() => {
  documents.reset();
});

describe('Function: get-run-of-show', () => {
  it('answers an empty list at version 0 for a session never edited, and the list, position and next item otherwise', async () => {
    storedSession();
    expect(await read()).toEqual({ statusCode: 200, body: { version: 0, items: [], position: null, nextItemId: null } });
    const position = { itemId: ITEM_A, index: 0, trackId: TRACK_ID, deck: 'program' as const, startedAt: '2026-11-24T08:02:00.000Z' };
    storedSession({ runOfShow: [item(ITEM_A), item(ITEM_B)], runOfShowVersion: 4, runOfShowPosition: position });
    expect((await read()).body).toEqual({ version: 4, items: [item(ITEM_A), item(ITEM_B)], position, nextItemId: ITEM_B });
  });

  it("answers 404 to someone else, as for a missing session", async () => {
    storedSession();
    expect(await read(OTHER_HOST_ID)).toMatchObject({ statusCode: 404, body: { code: 'NOT_FOUND' } });
  });
});

describe('Function: edit-run-of-show', () => {
  it("adds one of the host's tracks (its title and file kept on the item) with the version the edit was made on, conditionally", async () => {
    storedSession();
    documents.on(GetCommand, { Key: trackKey(HOST_ID, TRACK_ID) }).resolves({
      Item: { ...trackKey(HOST_ID, TRACK_ID), trackId: TRACK_ID, hostId: HOST_ID, title: 'Intro', programUrl: 's3://bucket/media/host/intro.wav', contentType: 'audio/wav', sizeBytes: 1, createdAt: '2026-11-24T08:00:00.000Z' },
    });
    const { statusCode, body } = await edit({ op: 'ADD', version: 0, item: { trackId: TRACK_ID, crossfadeSeconds: 2, fadeOutSeconds: 1.5, autoAdvance: true, note: 'open' } });
    expect(statusCode).toBe(200);
    expect(body).toMatchObject({ version: 1, items: [{ trackId: TRACK_ID, title: 'Intro', deck: 'program', crossfadeSeconds: 2, fadeInSeconds: 0, fadeOutSeconds: 1.5, autoAdvance: true, note: 'open' }] });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      Key: sessionKey(SESSION_ID),
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#version) AND #status IN (:s0, :s1)',
      ExpressionAttributeValues: expect.objectContaining({ ':next': 1 }),
    });
  });

  it('refuses an edit made on an older version with 409 CONFLICT, and writes nothing', async () => {
    storedSession({ runOfShow: [item(ITEM_A)], runOfShowVersion: 3 });
    const { statusCode, body } = await edit({ op: 'REMOVE', version: 2, itemId: ITEM_A });
    expect(statusCode).toBe(409);
    expect(body).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('version 3') });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 409 CONFLICT when another edit won the write (its condition failed)', async () => {
    storedSession({ runOfShow: [item(ITEM_A), item(ITEM_B)], runOfShowVersion: 3 });
    documents.on(UpdateCommand, { Key: sessionKey(SESSION_ID) }).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    const { statusCode, body } = await edit({ op: 'MOVE', version: 3, itemId: ITEM_B, toIndex: 0 });
    expect(statusCode).toBe(409);
    expect(body).toMatchObject({ code: 'CONFLICT' });
    expect(documents).toReceiveCommandWith(UpdateCommand, { ConditionExpression: expect.stringContaining('#version = :expected'), ExpressionAttributeValues: expect.objectContaining({ ':expected': 3, ':next': 4 }) });
  });

  it.each([
    [{ op: 'ADD', version: 0, item: { trackId: 'nope' } }, 'body.item.trackId'],
    [{ op: 'ADD', version: 0, item: { trackId: TRACK_ID, deck: 'drums' } }, 'body.item.deck'],
    [{ op: 'ADD', version: 0, item: { trackId: TRACK_ID, crossfadeSeconds: 11 } }, 'body.item.crossfadeSeconds'],
    [{ op: 'ADD', version: 0, item: { trackId: TRACK_ID, fadeOutSeconds: 10.5 } }, 'body.item.fadeOutSeconds'],
    [{ op: 'ADD', version: 0, item: { trackId: TRACK_ID, fadeOutSeconds: -1 } }, 'body.item.fadeOutSeconds'],
    [{ op: 'UPDATE', version: 0, itemId: ITEM_A, changes: { fadeOutSeconds: 'long' } }, 'body.changes.fadeOutSeconds'],
    [{ op: 'SHUFFLE', version: 0 }, 'body.op'],
    [{ op: 'REMOVE', version: -1, itemId: ITEM_A }, 'body.version'],
    [{ op: 'UPDATE', version: 0, itemId: ITEM_A, changes: {} }, 'body.changes'],
  ])('refuses %j with 400 naming %s, and reads nothing', async (body, field) => {
    const answer = await edit(body);
    expect(answer).toMatchObject({ statusCode: 400, body: { code: 'VALIDATION_FAILED', issues: [{ path: field }] } });
    expect(documents).not.toHaveReceivedCommand(GetCommand);
  });

  it("refuses a track that is not the host's (400) and an item the list does not hold (400), writing nothing", async () => {
    storedSession({ runOfShow: [item(ITEM_A)], runOfShowVersion: 1 });
    documents.on(GetCommand, { Key: trackKey(HOST_ID, TRACK_ID) }).resolves({});
    expect(await edit({ op: 'ADD', version: 1, item: { trackId: TRACK_ID } })).toMatchObject({ statusCode: 400, body: { issues: [{ path: 'body.item.trackId' }] } });
    expect(await edit({ op: 'REMOVE', version: 1, itemId: ITEM_B })).toMatchObject({ statusCode: 400, body: { issues: [{ path: 'body.itemId' }] } });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses edits once the session has ended (409 SESSION_NOT_ACTIVE), and 404s someone else', async () => {
    storedSession({ status: 'ENDED', runOfShow: [item(ITEM_A)], runOfShowVersion: 1 });
    expect(await edit({ op: 'REMOVE', version: 1, itemId: ITEM_A })).toMatchObject({ statusCode: 409, body: { code: 'SESSION_NOT_ACTIVE' } });
    storedSession({ runOfShow: [item(ITEM_A)], runOfShowVersion: 1 });
    expect(await edit({ op: 'REMOVE', version: 1, itemId: ITEM_A }, OTHER_HOST_ID)).toMatchObject({ statusCode: 404 });
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });
});
