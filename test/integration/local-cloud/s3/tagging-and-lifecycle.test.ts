/**
 * The local S3's object tags and lifecycle expiration, through the SDK v3 and a presigned PUT as POST /media
 * signs it (issue 15 item 7): an upload carries the tag it was signed with, a track's claim replaces it, and
 * the media bucket's rule (the contract's MEDIA_LIFECYCLE_RULE, set as the deployer sets it) deletes the
 * uploads still unclaimed once their days are over, at the midnight UTC after, as S3 does. The provider's
 * clock is moved by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MEDIA_LIFECYCLE_RULE, MEDIA_UPLOAD_TAG, UNCLAIMED_UPLOAD_TAGGING } from '#contract/index';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createS3Provider, type S3Provider } from '#local-cloud/services/s3/provider';

const BUCKET = 'shelcaster-media-000000000000-us-east-1';
const DAY_MS = 24 * 60 * 60 * 1000;
let gateway: Gateway;
let provider: S3Provider;
let s3: S3Client;
let dataDir: string;
/** 2026-01-01T10:00Z: uploads made now expire at the first midnight UTC at least 7 days later. */
const clock = new ManualClock(Date.UTC(2026, 0, 1, 10));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3-lifecycle-'));
  provider = createS3Provider({ dataDir, clock });
  gateway = await startGateway({ port: 0, providers: [provider] });
  // As the functions' client: no checksum of an unknown body in presigned URLs.
  s3 = new S3Client({ endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** PUTs a file to a presigned URL signed as POST /media signs it (type, length and tagging as signed headers). */
async function upload(key: string, body: Buffer, tagging = UNCLAIMED_UPLOAD_TAGGING): Promise<number> {
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'audio/wav', ContentLength: body.length, Tagging: UNCLAIMED_UPLOAD_TAGGING }), {
    // Signed now: the gateway checks signatures against the wall clock, the provider's lifecycle runs on `clock`.
    expiresIn: 900,
    signableHeaders: new Set(['content-type', 'content-length', 'x-amz-tagging']),
    unhoistableHeaders: new Set(['x-amz-tagging']),
  });
  const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'audio/wav', 'x-amz-tagging': tagging }, body: new Uint8Array(body) });
  return response.status;
}

const tagsOf = async (key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).TagSet;
const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key).sort();

describe('Local S3: object tags and lifecycle expiration', () => {
  it('keeps the tag a presigned upload was signed with, and refuses one sent with another', async () => {
    expect(await upload('media/u1/kept.wav', Buffer.alloc(100, 1))).toBe(200);
    expect(await upload('media/u1/orphan.wav', Buffer.alloc(100, 2))).toBe(200);
    expect(await upload('media/u1/forged.wav', Buffer.alloc(100, 3), `${MEDIA_UPLOAD_TAG.key}=${MEDIA_UPLOAD_TAG.track}`)).toBe(403);

    expect(await tagsOf('media/u1/orphan.wav')).toEqual([{ Key: MEDIA_UPLOAD_TAG.key, Value: MEDIA_UPLOAD_TAG.unclaimed }]);
  });

  it('replaces the tag set with PutObjectTagging (a track claiming its upload)', async () => {
    await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'media/u1/kept.wav', Tagging: { TagSet: [{ Key: MEDIA_UPLOAD_TAG.key, Value: MEDIA_UPLOAD_TAG.track }] } }));

    expect(await tagsOf('media/u1/kept.wav')).toEqual([{ Key: MEDIA_UPLOAD_TAG.key, Value: MEDIA_UPLOAD_TAG.track }]);
  });

  it('deletes the unclaimed uploads once the rule has expired them, and nothing else', async () => {
    const rule = MEDIA_LIFECYCLE_RULE;
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [{ ID: rule.id, Status: 'Enabled', Filter: { And: { Prefix: rule.prefix, Tags: [{ Key: rule.tag.key, Value: rule.tag.value }] } }, Expiration: { Days: rule.expirationDays } }],
        },
      }),
    );
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules).toEqual([
      expect.objectContaining({ ID: rule.id, Status: 'Enabled', Expiration: { Days: rule.expirationDays } }),
    ]);
    // Under another prefix the same tag is not the rule's business.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'recordings/s1/episode.m4a', Body: 'x', Tagging: UNCLAIMED_UPLOAD_TAGGING }));
    const before = await keys();

    await clock.advance(rule.expirationDays * DAY_MS); // 2026-01-08T10:00Z: not yet midnight
    expect(await keys()).toEqual(before);

    await clock.advance(14 * 60 * 60 * 1000); // past 2026-01-09T00:00Z: the hourly sweep has run
    expect(await keys()).toEqual(['media/u1/kept.wav', 'recordings/s1/episode.m4a']);
  });
});
