import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteObjectCommand, NoSuchKey, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { MAX_TRACKS_PER_HOST, MEDIA_DOWNLOAD_URL_SECONDS, mediaOwnerPrefix, trackKey } from '#contract/index';
import { handler as listTracks } from '../../../../functions/api/list-tracks.ts';
import { handler as createTrack } from '../../../../functions/api/create-track.ts';
import { handler as deleteTrack } from '../../../../functions/api/delete-track.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { TEST_ENV } from '../support/env.ts';
import { HOST_ID, OTHER_HOST_ID } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const events = mockClient(EventBridgeClient);

const TRACK_ID = '0b7c2f4e-1a2b-4c3d-9e8f-7a6b5c4d3e2f';
const OWN_URL = `s3://${TEST_ENV.MEDIA_BUCKET_NAME}/${mediaOwnerPrefix(HOST_ID)}1f2e3d4c-intro.wav`;
const validBody = { title: 'Intro jingle', programUrl: OWN_URL, contentType: 'audio/wav', sizeBytes: 441_044 };

const trackItem = (trackId: string, createdAt: string, title = 'A track') => ({
  ...trackKey(HOST_ID, trackId),
  trackId,
  hostId: HOST_ID,
  title,
  programUrl: OWN_URL,
  contentType: 'audio/wav',
  sizeBytes: 1000,
  createdAt,
});

const parse = (response: { statusCode?: number; body?: string }) => ({
  statusCode: response.statusCode,
  body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : undefined,
});

const post = (body: unknown, sub?: string) => createTrack(httpApiEvent({ method: 'POST', route: '/tracks', body, sub }), lambdaContext);

beforeEach(() => {
  documents.reset();
  s3.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(PutCommand).resolves({});
  s3.on(PutObjectTaggingCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const OWN_KEY = OWN_URL.replace(`s3://${TEST_ENV.MEDIA_BUCKET_NAME}/`, '');

describe('Function: list-tracks', () => {
  it("answers the caller's tracks oldest first, without keys or owner, from the caller's partition only", async () => {
    documents.on(QueryCommand).resolves({
      Items: [trackItem('b0000000-0000-4000-8000-000000000002', '2026-11-24T09:00:00.000Z', 'Second'), trackItem(TRACK_ID, '2026-11-24T08:00:00.000Z', 'First')],
    });

    const { statusCode, body } = parse(await listTracks(httpApiEvent({ method: 'GET', route: '/tracks' }), lambdaContext));

    expect(statusCode).toBe(200);
    const tracks = body?.tracks as Record<string, unknown>[];
    expect(tracks.map((t) => t.title)).toEqual(['First', 'Second']);
    const { listenUrl, ...first } = tracks[0] as { listenUrl: string };
    expect(first).toEqual({ trackId: TRACK_ID, title: 'First', programUrl: OWN_URL, contentType: 'audio/wav', sizeBytes: 1000, createdAt: '2026-11-24T08:00:00.000Z' });
    // The cue listens through a presigned GET of the upload, valid an hour.
    const url = new URL(listenUrl);
    expect(`${url.hostname}${url.pathname}`).toBe(`${TEST_ENV.MEDIA_BUCKET_NAME}.s3.us-east-1.amazonaws.com/${OWN_KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(MEDIA_DOWNLOAD_URL_SECONDS));
    expect(documents).toReceiveCommandWith(QueryCommand, {
      TableName: 'shelcaster-sessions',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `HOST#${HOST_ID}`, ':prefix': 'TRACK#' },
    });
  });

  it('follows the pages of a long list', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [trackItem(TRACK_ID, '2026-11-24T08:00:00.000Z')], LastEvaluatedKey: trackKey(HOST_ID, TRACK_ID) })
      .resolvesOnce({ Items: [trackItem('b0000000-0000-4000-8000-000000000002', '2026-11-24T09:00:00.000Z')] });

    const { body } = parse(await listTracks(httpApiEvent({ method: 'GET', route: '/tracks' }), lambdaContext));

    expect(body?.tracks).toHaveLength(2);
    expect(documents).toReceiveCommandTimes(QueryCommand, 2);
  });

  it('answers 401 without a caller', async () => {
    const response = await listTracks(httpApiEvent({ method: 'GET', route: '/tracks', sub: null }), lambdaContext);

    expect(response.statusCode).toBe(401);
  });
});

describe('Function: create-track', () => {
  it("stores the track under the caller's partition with a condition and answers 201 with it", async () => {
    const { statusCode, body } = parse(await post(validBody));

    expect(statusCode).toBe(201);
    expect(body).toEqual({ trackId: expect.stringMatching(/^[0-9a-f-]{36}$/), ...validBody, createdAt: expect.any(String) });
    expect(documents).toReceiveCommandWith(PutCommand, {
      TableName: 'shelcaster-sessions',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ ...trackKey(HOST_ID, body?.trackId as string), hostId: HOST_ID, title: 'Intro jingle' }),
    });
  });

  it('claims the upload it registers (its tag set becomes the track tag), so the unclaimed-uploads rule keeps it', async () => {
    expect((await post(validBody)).statusCode).toBe(201);

    expect(s3).toReceiveCommandWith(PutObjectTaggingCommand, {
      Bucket: TEST_ENV.MEDIA_BUCKET_NAME,
      Key: OWN_KEY,
      Tagging: { TagSet: [{ Key: 'shelcaster-upload', Value: 'track' }] },
    });
  });

  it('refuses an upload that was never PUT with 400 and stores nothing', async () => {
    s3.on(PutObjectTaggingCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));

    const { statusCode, body } = parse(await post(validBody));

    expect(statusCode).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'body.programUrl', message: expect.stringContaining('PUT the file') }] });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });

  it('registers an https programUrl without touching the bucket', async () => {
    expect((await post({ ...validBody, programUrl: 'https://media.example.org/intro.wav' })).statusCode).toBe(201);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('puts a Track Created event for its loudness to be measured', async () => {
    const { body } = parse(await post(validBody));

    expect(events).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        {
          Source: 'shelcaster.tracks',
          DetailType: 'Track Created',
          Detail: JSON.stringify({ hostId: HOST_ID, trackId: body?.trackId, programUrl: OWN_URL }),
        },
      ],
    });
  });

  it('still creates the track when the event cannot be put (it then plays unmeasured)', async () => {
    events.on(PutEventsCommand).rejects(new Error('ThrottlingException'));
    expect(parse(await post(validBody)).statusCode).toBe(201);
  });

  it('puts no event for a track it refuses', async () => {
    await post(validBody, OTHER_HOST_ID);
    expect(events).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it("refuses another user's upload with 400 and stores nothing", async () => {
    const { statusCode, body } = parse(await post(validBody, OTHER_HOST_ID));

    expect(statusCode).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'body.programUrl', message: expect.stringContaining('your own uploads') }] });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['another bucket', 's3://someone-else/media/x.wav'],
    ['a loopback address', 'https://127.0.0.1/x.wav'],
    ['plain http', 'http://example.org/x.wav'],
  ])('refuses a programUrl in %s with 400', async (_what, programUrl) => {
    const { statusCode } = parse(await post({ ...validBody, programUrl }));

    expect(statusCode).toBe(400);
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['an empty title', { ...validBody, title: '  ' }],
    ['an unknown content type', { ...validBody, contentType: 'video/mp4' }],
    ['a size of zero', { ...validBody, sizeBytes: 0 }],
    ['an unknown field', { ...validBody, owner: 'me' }],
  ])('refuses %s with 400', async (_what, body) => {
    const { statusCode } = parse(await post(body));

    expect(statusCode).toBe(400);
  });

  it('answers 409 when the host already keeps the most tracks allowed', async () => {
    const items = Array.from({ length: MAX_TRACKS_PER_HOST }, (_, i) =>
      trackItem(`a0000000-0000-4000-8000-${String(i).padStart(12, '0')}`, '2026-11-24T08:00:00.000Z'),
    );
    documents.on(QueryCommand).resolves({ Items: items });

    const { statusCode, body } = parse(await post(validBody));

    expect(statusCode).toBe(409);
    expect(body).toMatchObject({ code: 'CONFLICT' });
    expect(documents).not.toHaveReceivedCommand(PutCommand);
  });
});

describe('Function: delete-track', () => {
  const remove = (trackId: string) =>
    deleteTrack(httpApiEvent({ method: 'DELETE', route: '/tracks/{trackId}', pathParameters: { trackId } }), lambdaContext);

  beforeEach(() => {
    documents.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) =>
      input.Key.sk === trackKey(HOST_ID, TRACK_ID).sk ? { Item: trackItem(TRACK_ID, '2026-11-24T08:00:00.000Z') } : {},
    );
  });

  it("deletes the caller's track with a condition, then its upload, and answers 204", async () => {
    documents.on(DeleteCommand).resolves({});

    const response = await remove(TRACK_ID);

    expect(response.statusCode).toBe(204);
    expect(documents).toReceiveCommandWith(DeleteCommand, { Key: trackKey(HOST_ID, TRACK_ID), ConditionExpression: 'attribute_exists(pk)' });
    expect(s3).toReceiveCommandWith(DeleteObjectCommand, { Bucket: TEST_ENV.MEDIA_BUCKET_NAME, Key: OWN_KEY });
  });

  it('keeps the upload while another track of the host names it', async () => {
    documents.on(DeleteCommand).resolves({});
    documents.on(QueryCommand).resolves({ Items: [trackItem('c0000000-0000-4000-8000-000000000003', '2026-11-24T09:00:00.000Z', 'Same file')] });

    expect((await remove(TRACK_ID)).statusCode).toBe(204);
    expect(s3).not.toHaveReceivedCommand(DeleteObjectCommand);
  });

  it('answers 404 when the caller has no such track', async () => {
    documents.on(GetCommand).resolves({});
    documents.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    const { statusCode, body } = parse(await remove(TRACK_ID));

    expect(statusCode).toBe(404);
    expect(body).toMatchObject({ code: 'NOT_FOUND' });
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('refuses a track id that is not a UUID with 400', async () => {
    const response = await remove('../sessions');

    expect(response.statusCode).toBe(400);
    expect(documents).not.toHaveReceivedCommand(DeleteCommand);
  });
});
