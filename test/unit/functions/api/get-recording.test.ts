import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MEDIA_DOWNLOAD_URL_SECONDS, RECORDING_RETRY_AFTER_SECONDS, episodeKey } from '#contract/index';
import { handler } from '../../../../functions/api/get-recording.ts';
import { httpApiEvent } from '../../../fixtures/events/http-api.ts';
import { lambdaContext } from '../../../fixtures/events/lambda-context.ts';
import { TEST_ENV } from '../support/env.ts';
import { COMPOSITION_ARN, OTHER_HOST_ID, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

const PREFIX = 'q9vXxAbCdEfG/Xy12Ab34Cd56/dest1/composite';
const EPISODE = episodeKey(SESSION_ID);
const HLS = `${PREFIX}/media/hls`;
const ENDED = { status: 'ENDED' as const, compositionArn: COMPOSITION_ARN, recordingPrefix: PREFIX };

const get = (options: { sub?: string } = {}) =>
  handler(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}/recording', pathParameters: { sessionId: SESSION_ID }, ...options }), lambdaContext);

const json = (response: Awaited<ReturnType<typeof handler>>) => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

const notFound = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
const body = (text: string | Uint8Array) => ({ Body: { transformToByteArray: async () => (typeof text === 'string' ? new TextEncoder().encode(text) : text) } });

/** The objects in the bucket: keys that HEAD and GET find. */
function bucketHolds(objects: Record<string, string | Uint8Array>): void {
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (input.Key in objects) return {};
    throw notFound();
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const object = objects[input.Key];
    if (object === undefined) throw notFound();
    return body(object);
  });
}

const RECORDING = {
  [`${HLS}/multivariant.m3u8`]: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=140800,CODECS="mp4a.40.2"\naudio/playlist.m3u8\n',
  [`${HLS}/audio/playlist.m3u8`]: '#EXTM3U\n#EXT-X-MAP:URI="init-0.mp4"\n#EXTINF:2.0,\n0.mp4\n#EXTINF:1.5,\n1.mp4\n#EXT-X-ENDLIST\n',
  [`${HLS}/audio/init-0.mp4`]: 'INIT',
  [`${HLS}/audio/0.mp4`]: 'SEG0',
  [`${HLS}/audio/1.mp4`]: 'SEG1',
};

beforeEach(() => {
  documents.reset();
  s3.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem(ENDED) });
  s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
  bucketHolds({});
});

const expectPresignedEpisode = (location: string | undefined) => {
  const url = new URL(location ?? '');
  expect(`${url.hostname}${url.pathname}`).toBe(`${TEST_ENV.MEDIA_BUCKET_NAME}.s3.us-east-1.amazonaws.com/${EPISODE}`);
  expect(url.searchParams.get('X-Amz-Expires')).toBe(String(MEDIA_DOWNLOAD_URL_SECONDS));
  expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
};

describe('Function: get-recording', () => {
  it('redirects (302) to a presigned GET of the episode when it exists', async () => {
    bucketHolds({ [EPISODE]: 'EPISODE' });

    const response = await get();

    expect(response.statusCode).toBe(302);
    expectPresignedEpisode(response.headers?.location as string);
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('builds the episode from the closed recording (init, then segments in playlist order), then redirects', async () => {
    bucketHolds({ ...RECORDING, [`${PREFIX}/events/recording-ended.json`]: '{}' });

    const response = await get();

    expect(response.statusCode).toBe(302);
    expectPresignedEpisode(response.headers?.location as string);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: TEST_ENV.MEDIA_BUCKET_NAME, Key: EPISODE, ContentType: 'audio/mp4' });
    expect(Buffer.from(put?.Body as Uint8Array).toString()).toBe('INITSEG0SEG1');
  });

  it('builds it too from a recording that ended with a failure', async () => {
    bucketHolds({ ...RECORDING, [`${PREFIX}/events/recording-failed.json`]: '{}' });

    expect((await get()).statusCode).toBe(302);
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it.each([['STARTING'], ['LIVE'], ['ENDING']] as const)('answers 409 RECORDING_NOT_READY with Retry-After while the session is %s', async (status) => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ ...ENDED, status }) });
    bucketHolds({ [EPISODE]: 'EPISODE' });

    const response = await get();

    expect(response.statusCode).toBe(409);
    expect(json(response)).toMatchObject({ code: 'RECORDING_NOT_READY' });
    expect(response.headers?.['retry-after']).toBe(String(RECORDING_RETRY_AFTER_SECONDS));
  });

  it('answers 409 with Retry-After while the ended session\'s recording is not closed yet, and writes nothing', async () => {
    bucketHolds(RECORDING);

    const response = await get();

    expect(response.statusCode).toBe(409);
    expect(json(response).code).toBe('RECORDING_NOT_READY');
    expect(response.headers?.['retry-after']).toBe(String(RECORDING_RETRY_AFTER_SECONDS));
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it.each([
    ['no composition', sessionItem({ status: 'FAILED' })],
    ['no recording prefix', sessionItem({ status: 'ENDED', compositionArn: COMPOSITION_ARN })],
  ])('answers 404 for a session that never went live (%s)', async (_case, item) => {
    documents.on(GetCommand).resolves({ Item: item });

    const response = await get();

    expect(response.statusCode).toBe(404);
    expect(json(response).code).toBe('NOT_FOUND');
  });

  it('answers 404 for a closed recording without any segment, and writes nothing', async () => {
    bucketHolds({
      ...RECORDING,
      [`${HLS}/audio/playlist.m3u8`]: '#EXTM3U\n#EXT-X-ENDLIST\n',
      [`${PREFIX}/events/recording-failed.json`]: '{}',
    });

    const response = await get();

    expect(response.statusCode).toBe(404);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });

  it('answers 404 to someone else, without looking at the bucket', async () => {
    const response = await get({ sub: OTHER_HOST_ID });

    expect(response.statusCode).toBe(404);
    expect(s3).not.toHaveReceivedAnyCommand();
  });

  it('answers 500 without internals when a playlist names a segment outside the recording', async () => {
    bucketHolds({
      ...RECORDING,
      [`${HLS}/audio/playlist.m3u8`]: '#EXTM3U\n#EXT-X-MAP:URI="init-0.mp4"\n#EXTINF:2.0,\n../../../../../../media/someone/secret.wav\n#EXT-X-ENDLIST\n',
      [`${PREFIX}/events/recording-ended.json`]: '{}',
    });

    const response = await get();

    expect(response.statusCode).toBe(500);
    expect(json(response)).toEqual({ code: 'INTERNAL_ERROR', message: 'An internal error occurred.' });
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
