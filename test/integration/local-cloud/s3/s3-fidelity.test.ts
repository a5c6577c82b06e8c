import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { OriginPolicy } from '#local-cloud/gateway/origin-policy';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createS3Provider } from '#local-cloud/services/s3/provider';
import { awsJson, CLI_TEST_OPTIONS, runAws, type CliVersion } from '../gateway/aws-cli.ts';

let gateway: Gateway;
let s3: S3Client;
let dataDir: string;
const BUCKET = 'shelcaster-media-000000000000-us-east-1';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3-fidelity-'));
  // The console's origin (the API's), as the local cloud allows it.
  gateway = await startGateway({ port: 0, providers: [createS3Provider({ dataDir })], originPolicy: new OriginPolicy(['http://127.0.0.1:3000']) });
  s3 = new S3Client({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('S3 through the SDK v3', () => {
  it('lists and heads the bucket', async () => {
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain(BUCKET);
    const head = await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  it('stores a streamed upload with its trailing checksum intact and returns it with its content type', async () => {
    const body = Buffer.from('RIFF....WAVEfmt '.repeat(5000));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/u1/intro.wav', Body: body, ContentType: 'audio/wav', Metadata: { owner: 'u1' } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u1/intro.wav', ChecksumMode: 'ENABLED' }));
    expect(got.ContentType).toBe('audio/wav');
    expect(got.Metadata).toEqual({ owner: 'u1' });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'media/u1/intro.wav' }));
    expect(head.ContentLength).toBe(body.length);
  });

  it('decodes an aws-chunked stream upload and checks its trailing CRC32', async () => {
    const parts = [Buffer.alloc(70_000, 1), Buffer.alloc(70_000, 2), Buffer.from('end')];
    const Body = Readable.from(parts);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/streamed.bin', Body, ContentLength: 140_003 }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/streamed.bin', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).toBeDefined();
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
  });

  it('serves a byte range', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/range.txt', Body: '0123456789' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/range.txt', Range: 'bytes=2-5' }));
    expect(got.ContentRange).toBe('bytes 2-5/10');
    expect(await got.Body!.transformToString()).toBe('2345');
  });

  it('lists with prefix, delimiter and continuation', async () => {
    for (const key of ['recordings/s1/a.ts', 'recordings/s1/b.ts', 'recordings/s2/a.ts', 'recordings/top.json']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'recordings/', Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['recordings/s1/', 'recordings/s2/']);
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(['recordings/top.json']);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'recordings/', MaxKeys: 3 }));
    expect(first.IsTruncated).toBe(true);
    const rest = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'recordings/', MaxKeys: 3, ContinuationToken: first.NextContinuationToken }));
    expect([...(first.Contents ?? []), ...(rest.Contents ?? [])].map((c) => c.Key)).toEqual([
      'recordings/s1/a.ts', 'recordings/s1/b.ts', 'recordings/s2/a.ts', 'recordings/top.json',
    ]);
    expect(rest.IsTruncated).toBe(false);
  });

  it('copies and deletes objects, singly and in a batch', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'media/copy.txt', CopySource: `${BUCKET}/media/range.txt` }));
    const copy = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/copy.txt' }));
    expect(await copy.Body!.transformToString()).toBe('0123456789');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'media/copy.txt' }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'recordings/s1/a.ts' }, { Key: 'recordings/s1/b.ts' }] } }));
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['recordings/s1/a.ts', 'recordings/s1/b.ts']);
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/copy.txt' }))).rejects.toBeInstanceOf(NoSuchKey);
  });
});

describe('S3 presigned URLs', () => {
  const presigner = (secretAccessKey = 'test'): S3Client =>
    new S3Client({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED' });

  it('accepts a presigned PUT from a browser origin after a CORS preflight, then a presigned GET', async () => {
    const url = await getSignedUrl(presigner(), new PutObjectCommand({ Bucket: BUCKET, Key: 'media/u2/song.mp3', ContentType: 'audio/mpeg' }), { expiresIn: 900 });
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:3000', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const put = await fetch(url, { method: 'PUT', body: 'ID3 audio', headers: { 'content-type': 'audio/mpeg', Origin: 'http://127.0.0.1:3000' } });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const getUrl = await getSignedUrl(presigner(), new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u2/song.mp3' }), { expiresIn: 3600 });
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('audio/mpeg');
    expect(await got.text()).toBe('ID3 audio');
  });

  it('refuses a URL signed with another secret with SignatureDoesNotMatch', async () => {
    const url = await getSignedUrl(presigner('wrong-secret'), new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u2/song.mp3' }), { expiresIn: 60 });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a tampered URL and an expired one', async () => {
    const url = await getSignedUrl(presigner(), new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u2/song.mp3' }), { expiresIn: 60 });
    const tampered = await fetch(url.replace('song.mp3', 'other.mp3'));
    expect(tampered.status).toBe(403);
    const expiredUrl = await getSignedUrl(presigner(), new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u2/song.mp3' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const expired = await fetch(expiredUrl);
    expect(expired.status).toBe(403);
    const text = await expired.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Request has expired');
  });

  it('refuses a presigned PUT whose body does not match the checksum signed into it', async () => {
    const client = new S3Client({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: 'media/u2/checked.bin', ChecksumCRC32: 'AAAAAA==' }), { expiresIn: 60 });
    const response = await fetch(url, { method: 'PUT', body: 'not empty' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>BadDigest</Code>');
  });
});

describe.each<CliVersion>(['v1', 'v2'])('S3 through AWS CLI %s', CLI_TEST_OPTIONS, (version) => {
  it('copies a file up and down with aws s3 cp and lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-cli-'));
    try {
      const content = Buffer.alloc(300_000, 7);
      writeFileSync(join(dir, 'up.bin'), content);
      const up = await runAws(version, gateway.url, ['s3', 'cp', join(dir, 'up.bin'), `s3://${BUCKET}/cli/${version}/up.bin`]);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      const down = await runAws(version, gateway.url, ['s3', 'cp', `s3://${BUCKET}/cli/${version}/up.bin`, join(dir, 'down.bin')]);
      expect(down.code).toBe(0);
      expect(readFileSync(join(dir, 'down.bin')).equals(content)).toBe(true);
      const listed = await awsJson<{ Contents: { Key: string; Size: number }[] }>(version, gateway.url, ['s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', `cli/${version}/`]);
      expect(listed.Contents).toEqual([expect.objectContaining({ Key: `cli/${version}/up.bin`, Size: 300_000 })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
