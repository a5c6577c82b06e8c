import '../support/env.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MEDIA_DOWNLOAD_URL_SECONDS, RECORDING_RETRY_AFTER_SECONDS, asRunSortKey, episodeKey, type AsRunRecord } from '#contract/index';
import { chapterListBox } from '#helpers/mp4-chapters';
import { handler } from '../../../../functions/api/get-recording.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
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
const bytesOf = (object: string | Uint8Array) => (typeof object === 'string' ? new TextEncoder().encode(object) : object);

/** The objects in the bucket: keys that HEAD and GET (whole or a byte range) find. */
function bucketHolds(objects: Record<string, string | Uint8Array>): void {
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    if (input.Key in objects) return {};
    throw notFound();
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string; Range?: string }) => {
    const object = objects[input.Key];
    if (object === undefined) throw notFound();
    const bytes = bytesOf(object);
    const range = /^bytes=0-(\d+)$/.exec(input.Range ?? '');
    const part = range ? bytes.subarray(0, Number(range[1]) + 1) : bytes;
    return { Body: { transformToByteArray: async () => part }, ...(range ? { ContentRange: `bytes 0-${part.length - 1}/${bytes.length}` } : {}) };
  });
}

/** A recording as the local stage writes it: ffmpeg's fMP4 HLS of a 3 s tone (init + two segments). */
let RECORDING: Record<string, string | Uint8Array>;
let fixtureDir: string;

/** ffmpeg's fMP4 HLS of a 3 s tone under `hls` (extra output options, e.g. a creation time in the init). */
function recordingUnder(hls: string, dir: string, extra: string[] = []): Record<string, string | Uint8Array> {
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3:sample_rate=48000', '-c:a', 'aac', ...extra,
    '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init-0.mp4',
    '-hls_segment_filename', join(dir, '%d.mp4'), join(dir, 'playlist.m3u8'),
  ]);
  const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
  return {
    [`${hls}/multivariant.m3u8`]: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=140800,CODECS="mp4a.40.2"\naudio/playlist.m3u8\n',
    [`${hls}/audio/playlist.m3u8`]: readFileSync(join(dir, 'playlist.m3u8'), 'utf8'),
    [`${hls}/audio/init-0.mp4`]: file('init-0.mp4'),
    [`${hls}/audio/0.mp4`]: file('0.mp4'),
    [`${hls}/audio/1.mp4`]: file('1.mp4'),
  };
}

beforeAll(() => {
  fixtureDir = mkdtempSync(join(tmpdir(), 'get-recording-'));
  RECORDING = recordingUnder(HLS, fixtureDir);
});

afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));

beforeEach(() => {
  documents.reset();
  s3.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem(ENDED) });
  documents.on(QueryCommand).resolves({ Items: [] });
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
    const written = Buffer.from(put?.Body as Uint8Array);
    const init = RECORDING[`${HLS}/audio/init-0.mp4`] as Uint8Array;
    expect(written.subarray(0, init.length).equals(init)).toBe(true);
    expect(written.toString('latin1', init.length + 4, init.length + 8)).toBe('sidx');
    const segments = Buffer.concat([RECORDING[`${HLS}/audio/0.mp4`] as Uint8Array, RECORDING[`${HLS}/audio/1.mp4`] as Uint8Array]);
    const ownIndexes = (segment: Uint8Array) => {
      const data = Buffer.from(segment);
      let bytes = 0;
      for (let at = 0; at + 8 <= data.length; at += data.readUInt32BE(at)) if (data.toString('latin1', at + 4, at + 8) === 'sidx') bytes += data.readUInt32BE(at);
      return bytes;
    };
    const dropped = ownIndexes(RECORDING[`${HLS}/audio/0.mp4`] as Uint8Array) + ownIndexes(RECORDING[`${HLS}/audio/1.mp4`] as Uint8Array);
    // init, one sidx of two references (40 + 2 × 12 bytes), the segments without their own sidx boxes.
    expect(written.length).toBe(init.length + 64 + segments.length - dropped);
  });

  it('puts a chapter mark in the episode at each run-of-show item played, at its time in the recording', async () => {
    bucketHolds({ ...RECORDING, [`${PREFIX}/events/recording-ended.json`]: '{}' });
    // The recording's first sample is the playlist's first program date-time (none here: the composition's start).
    const startedAt = '2026-01-01T10:00:00.000Z';
    documents.on(GetCommand).resolves({ Item: sessionItem({ ...ENDED, recordings: [{ compositionArn: COMPOSITION_ARN, recordingPrefix: PREFIX, startedAt }] }) });
    const played = (at: string, itemId: string, title: string, cause: string): AsRunRecord & { sk: string } => ({
      sk: asRunSortKey(at, 0), at, event: 'PLAY', deck: 'program', programId: 'p', itemId, title, cause,
    });
    documents.on(QueryCommand).resolves({
      Items: [
        played('2026-01-01T10:00:01.500Z', 'i1', 'Opening', 'NEXT'),
        played('2026-01-01T10:00:02.250Z', 'i2', 'Second', 'AUTO'),
        played('2026-01-01T10:00:02.500Z', 'i2', 'Second', 'RESUMED'),
      ],
    });

    expect((await get()).statusCode).toBe(302);

    const written = Buffer.from(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array);
    const chpl = Buffer.from(chapterListBox([{ startTime: 1.5, title: 'Opening' }, { startTime: 2.25, title: 'Second' }]));
    expect(written.indexOf(chpl)).toBeGreaterThan(0);
    expect(written.toString('latin1', 4, 8)).toBe('ftyp');
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

  describe('a show whose composition was restarted mid-show (one recording per composition)', () => {
    const SECOND_PREFIX = 'q9vXxAbCdEfG/Zz98Yx76Wv54/dest1/composite';
    const SECOND_HLS = `${SECOND_PREFIX}/media/hls`;
    const TWO_PARTS = {
      status: 'ENDED' as const,
      compositionArn: 'arn:aws:ivs:us-east-1:123456789012:composition/Zz98Yx76Wv54',
      recordingPrefix: SECOND_PREFIX,
      recordings: [
        { compositionArn: COMPOSITION_ARN, recordingPrefix: PREFIX, startedAt: '2026-11-24T08:01:00.000Z' },
        { compositionArn: 'arn:aws:ivs:us-east-1:123456789012:composition/Zz98Yx76Wv54', recordingPrefix: SECOND_PREFIX, startedAt: '2026-11-24T08:09:00.000Z' },
      ],
    };
    let second: Record<string, string | Uint8Array>;
    let secondDir: string;

    beforeAll(() => {
      secondDir = mkdtempSync(join(tmpdir(), 'get-recording-second-'));
      // Another encoder run: the same configuration, its init differing only in its creation times.
      second = recordingUnder(SECOND_HLS, secondDir, ['-metadata', 'creation_time=2026-11-24T08:09:00Z']);
    });
    afterAll(() => rmSync(secondDir, { recursive: true, force: true }));

    it('builds the episode of every part in order, the later part following the earlier one', async () => {
      documents.on(GetCommand).resolves({ Item: sessionItem(TWO_PARTS) });
      expect(Buffer.from(second[`${SECOND_HLS}/audio/init-0.mp4`] as Uint8Array).equals(Buffer.from(RECORDING[`${HLS}/audio/init-0.mp4`] as Uint8Array))).toBe(false);
      bucketHolds({ ...RECORDING, ...second, [`${PREFIX}/events/recording-ended.json`]: '{}', [`${SECOND_PREFIX}/events/recording-ended.json`]: '{}' });

      expect((await get()).statusCode).toBe(302);

      const written = Buffer.from(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array);
      const init = RECORDING[`${HLS}/audio/init-0.mp4`] as Uint8Array;
      expect(written.subarray(0, init.length).equals(Buffer.from(init))).toBe(true);
      // One sidx over the four segments of both parts: 40 + 4 × 12 bytes, its reference count 4.
      expect(written.toString('latin1', init.length + 4, init.length + 8)).toBe('sidx');
      expect(written.readUInt32BE(init.length)).toBe(88);
      expect(written.readUInt16BE(init.length + 38)).toBe(4); // version 1: size, type, version/flags, id, timescale, two 64-bit times, reserved
    });

    it('waits (409) while an earlier part that recorded is not closed yet', async () => {
      documents.on(GetCommand).resolves({ Item: sessionItem(TWO_PARTS) });
      bucketHolds({ ...RECORDING, ...second, [`${PREFIX}/events/recording-started.json`]: '{}', [`${SECOND_PREFIX}/events/recording-ended.json`]: '{}' });

      expect((await get()).statusCode).toBe(409);
      expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
    });

    it('does not wait for an earlier composition that never recorded', async () => {
      documents.on(GetCommand).resolves({ Item: sessionItem(TWO_PARTS) });
      bucketHolds({ ...second, [`${SECOND_PREFIX}/events/recording-ended.json`]: '{}' });

      expect((await get()).statusCode).toBe(302);
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    });
  });
});
