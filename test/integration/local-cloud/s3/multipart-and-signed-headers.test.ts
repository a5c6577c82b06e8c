/**
 * The local S3's multipart uploads, driven by `@aws-sdk/lib-storage` Upload and the raw SDK commands, and its
 * check of the headers signed into a presigned PUT (content type and length), driven by fetch.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createS3Provider } from '#local-cloud/services/s3/provider';

const BUCKET = 'shelcaster-media-000000000000-us-east-1';
const MiB = 1024 * 1024;
let gateway: Gateway;
let dataDir: string;
let s3: S3Client;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3-multipart-'));
  gateway = await startGateway({ port: 0, providers: [createS3Provider({ dataDir })] });
  s3 = new S3Client({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const bytesOf = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

describe('S3 multipart uploads', () => {
  it('stores a lib-storage Upload of a stream larger than one part, byte for byte, with a multipart ETag', async () => {
    const data = randomBytes(12 * MiB + 123);
    const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));

    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: 'recordings/s1/episode.m4a', Body: Readable.from(chunks), ContentType: 'audio/mp4' } });
    await upload.done();

    expect((await bytesOf('recordings/s1/episode.m4a')).equals(data)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'recordings/s1/episode.m4a' }));
    expect(head).toMatchObject({ ContentType: 'audio/mp4', ContentLength: data.length, ETag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/) });
  });

  it('refuses to complete with a part below 5 MiB that is not the last, and with parts out of order', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/small-parts.bin' }));
    const one = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'media/small-parts.bin', UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const two = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'media/small-parts.bin', UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 2) }));
    const complete = (parts: { PartNumber: number; ETag: string | undefined }[]) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/small-parts.bin', UploadId, MultipartUpload: { Parts: parts } }));

    await expect(complete([{ PartNumber: 1, ETag: one.ETag }, { PartNumber: 2, ETag: two.ETag }])).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await expect(complete([{ PartNumber: 2, ETag: two.ETag }, { PartNumber: 1, ETag: one.ETag }])).rejects.toMatchObject({ name: 'InvalidPartOrder' });
    await expect(complete([{ PartNumber: 1, ETag: two.ETag }])).rejects.toMatchObject({ name: 'InvalidPart' });

    await complete([{ PartNumber: 1, ETag: one.ETag }]);
    expect((await bytesOf('media/small-parts.bin')).equals(Buffer.alloc(1024, 1))).toBe(true);
  });

  it('forgets an aborted upload', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/aborted.bin' }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'media/aborted.bin', UploadId }));

    await expect(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'media/aborted.bin', UploadId, PartNumber: 1, Body: 'x' }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });
});

describe('S3 presigned PUT with signed content type and length', () => {
  const presigner = () =>
    new S3Client({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const signedPut = (key: string, contentType: string, size: number) =>
    getSignedUrl(presigner(), new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: contentType, ContentLength: size }), {
      expiresIn: 900,
      signableHeaders: new Set(['content-type', 'content-length']),
    });

  it('accepts the signed type and size, and refuses another type or another size with 403', async () => {
    const body = randomBytes(2048);
    const url = await signedPut('media/u1/a/track.wav', 'audio/wav', body.length);

    const wrongType = await fetch(url, { method: 'PUT', headers: { 'content-type': 'audio/mpeg' }, body });
    const wrongSize = await fetch(url, { method: 'PUT', headers: { 'content-type': 'audio/wav' }, body: body.subarray(1) });
    const right = await fetch(url, { method: 'PUT', headers: { 'content-type': 'audio/wav' }, body });

    expect([wrongType.status, await wrongType.text()]).toEqual([403, expect.stringContaining('SignatureDoesNotMatch')]);
    expect([wrongSize.status, await wrongSize.text()]).toEqual([403, expect.stringContaining('SignatureDoesNotMatch')]);
    expect(right.status).toBe(200);
    expect((await bytesOf('media/u1/a/track.wav')).equals(body)).toBe(true);
  });
});
