import '../support/env.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  MAX_MEDIA_BYTES,
  MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY,
  MEDIA_UPLOAD_URL_SECONDS,
  MEDIA_UPLOADS_PER_USER_PER_DAY,
  checkMediaUrl,
  mediaOwnerPrefix,
} from '#contract/index';
import { handler } from '../../../../functions/api/create-media-upload.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { TEST_ENV } from '../support/env.ts';
import { fakeRateItems } from '../support/rate-items.ts';
import { HOST_ID } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
let items: ReturnType<typeof fakeRateItems>;

beforeEach(() => {
  documents.reset();
  items = fakeRateItems(documents);
});

/** Moves the clock past the route's limit per caller between requests (the daily quotas are what is tested). */
afterEach(() => {
  vi.useRealTimers();
});

const paced = async (body: unknown, options: { sub?: string } = {}) => {
  vi.setSystemTime(Date.now() + 1000);
  return send(body, options);
};

const send = (body: unknown, options: { sub?: string | null } = {}) =>
  handler(httpApiEvent({ method: 'POST', route: '/media', body, ...options }), lambdaContext);

const json = (response: Awaited<ReturnType<typeof handler>>) => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

const WAV = { fileName: 'Intro Jingle (final).wav', contentType: 'audio/wav', sizeBytes: 96_044 };

describe('Function: create-media-upload', () => {
  it('answers 201 with a presigned PUT under the caller\'s media prefix and the programUrl that plays it', async () => {
    const before = Date.now();
    const response = await send(WAV);
    const body = json(response);

    expect(response.statusCode).toBe(201);
    const key = body.key as string;
    expect(key).toMatch(new RegExp(`^${mediaOwnerPrefix(HOST_ID)}[0-9a-f-]{36}/Intro_Jingle_final_\\.wav$`));
    expect(body.programUrl).toBe(`s3://${TEST_ENV.MEDIA_BUCKET_NAME}/${key}`);
    expect(checkMediaUrl(body.programUrl as string, { mediaBucket: TEST_ENV.MEDIA_BUCKET_NAME })).toMatchObject({ allowed: true, kind: 's3', key });
    expect(body.uploadHeaders).toEqual({ 'content-type': 'audio/wav', 'content-length': '96044', 'x-amz-tagging': 'shelcaster-upload=unclaimed' });
    const expiresAt = Date.parse(body.expiresAt as string);
    expect(expiresAt).toBeGreaterThanOrEqual(before + MEDIA_UPLOAD_URL_SECONDS * 1000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + MEDIA_UPLOAD_URL_SECONDS * 1000);
  });

  it('signs content type, length and the unclaimed tag into the URL (as headers), with no checksum parameters', async () => {
    const url = new URL(json(await send(WAV)).uploadUrl as string);

    expect(url.pathname).toContain(`/media/`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(['content-length', 'content-type', 'host', 'x-amz-tagging']);
    expect(url.searchParams.has('x-amz-tagging')).toBe(false);
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(MEDIA_UPLOAD_URL_SECONDS));
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });

  it('gives every upload its own key, even of the same file name', async () => {
    const first = json(await send(WAV)).key;
    const second = json(await send(WAV)).key;

    expect(first).not.toBe(second);
  });

  it('keeps a user id with unsafe characters inside one key segment', async () => {
    const key = json(await send(WAV, { sub: 'auth0|../x/..' })).key as string;

    expect(key.startsWith('media/auth0~7C~2E~2E~2Fx~2F~2E~2E/')).toBe(true);
    expect(key.split('/')).toHaveLength(4);
  });

  it.each([
    ['a content type that is not audio', { ...WAV, contentType: 'text/html' }],
    ['a size above the limit', { ...WAV, sizeBytes: MAX_MEDIA_BYTES + 1 }],
    ['a size of zero', { ...WAV, sizeBytes: 0 }],
    ['a fractional size', { ...WAV, sizeBytes: 10.5 }],
    ['a missing file name', { contentType: 'audio/wav', sizeBytes: 10 }],
    ['an extra field', { ...WAV, key: 'media/someone-else/x.wav' }],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_case, body) => {
    const response = await send(body);

    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ code: 'VALIDATION_FAILED', issues: expect.any(Array) });
  });

  it('answers 401 without a caller', async () => {
    expect((await send(WAV, { sub: null })).statusCode).toBe(401);
  });

  it(`refuses the ${MEDIA_UPLOADS_PER_USER_PER_DAY + 1}th upload of a day with 429, and another user is not affected`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < MEDIA_UPLOADS_PER_USER_PER_DAY; i++) expect((await paced({ ...WAV, sizeBytes: 10 })).statusCode).toBe(201);

    const refused = await paced({ ...WAV, sizeBytes: 10 });

    expect(refused.statusCode).toBe(429);
    expect(json(refused)).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('uploads a day') });
    expect(Number(refused.headers?.['retry-after'])).toBeGreaterThan(0);
    expect((await paced({ ...WAV, sizeBytes: 10 }, { sub: 'someone-else' })).statusCode).toBe(201);
  });

  it('refuses an upload beyond the bytes of the day with 429, and gives the file it counted back', async () => {
    const big = { ...WAV, sizeBytes: MAX_MEDIA_BYTES };
    const fit = Math.floor(MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY / MAX_MEDIA_BYTES);
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < fit; i++) expect((await paced(big)).statusCode).toBe(201);
    const filesBefore = items.get(`RATE#USER#${HOST_ID}|UPLOADS`)?.tat;

    const refused = await paced(big);

    expect(refused.statusCode).toBe(429);
    expect(json(refused).message).toMatch(/bytes of uploads a day/);
    expect(items.get(`RATE#USER#${HOST_ID}|UPLOADS`)?.tat).toBeCloseTo(filesBefore as number, 3);
    // A smaller file still fits in what is left of the day.
    expect((await paced({ ...WAV, sizeBytes: MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY - fit * MAX_MEDIA_BYTES - 1024 * 1024 })).statusCode).toBe(201);
  });
});
