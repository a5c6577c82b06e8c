/**
 * What must keep working with every signature verified: the console's presigned upload (a PUT from its own
 * origin after a CORS preflight), a presigned GET, and an S3 PutObject whose body is signed chunk by chunk
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`); a chunk changed in flight is refused and nothing is stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { OriginPolicy } from '#local-cloud/gateway/origin-policy';
import { createS3Provider } from '#local-cloud/services/s3/provider';
import { signingKey } from '#local-cloud/gateway/sigv4';
import { chunkSignature } from '#local-cloud/gateway/sigv4-streaming';
import { signRequest } from '#harness/sign-request';

const CONSOLE = 'http://127.0.0.1:3000';
const BUCKET = 'media';
let gateway: Gateway;
let s3: S3Client;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'presigned-streaming-'));
  const policy = new OriginPolicy();
  policy.allowServer(CONSOLE);
  gateway = await startGateway({ port: 0, providers: [createS3Provider({ dataDir })], originPolicy: policy });
  s3 = new S3Client({ endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An aws-chunked body signed chunk by chunk from `seed`, and the headers that announce it. */
function streamingPut(key: string, chunks: Buffer[], tamper = false): { headers: Record<string, string>; body: Buffer } {
  const date = new Date();
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  // The encoded length is needed before signing (content-length is a signed header): sizes only, signatures are 64 hex.
  const encodedLength = [...chunks, Buffer.alloc(0)].reduce((n, c) => n + c.length.toString(16).length + ';chunk-signature='.length + 64 + 4 + c.length, 0);
  const headers = signRequest({
    method: 'PUT',
    url: `${gateway.url}/${BUCKET}/${key}`,
    headers: {
      'content-encoding': 'aws-chunked',
      'content-length': String(encodedLength),
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(decodedLength),
    },
    service: 's3',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    date,
  });
  const context = { signingKey: signingKey('test', amzDate.slice(0, 8), 'us-east-1', 's3'), amzDate, scope };
  let previous = /Signature=([0-9a-f]{64})/.exec(headers['authorization']!)![1]!;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    previous = chunkSignature(context, previous, chunk);
    const sent = tamper && chunk.length > 0 ? Buffer.alloc(chunk.length, 'x') : chunk;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), sent, Buffer.from('\r\n'));
  }
  const body = Buffer.concat(parts);
  expect(body.length).toBe(encodedLength);
  delete headers['host'];
  return { headers, body };
}

describe('S3 with signatures verified', () => {
  it("takes the console's presigned upload from its own origin, then serves a presigned GET", async () => {
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'media/u1/track.wav', ContentType: 'audio/wav' }), { expiresIn: 900 });
    const preflight = await fetch(putUrl, { method: 'OPTIONS', headers: { origin: CONSOLE, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const put = await fetch(putUrl, { method: 'PUT', headers: { origin: CONSOLE, 'content-type': 'audio/wav' }, body: 'RIFF audio' });
    expect(put.status).toBe(200);
    expect(put.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const got = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'media/u1/track.wav' }), { expiresIn: 60 }));
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('RIFF audio');
  });

  it('stores a streaming-signed PutObject, and refuses one whose chunk changed under its signature', async () => {
    const chunks = [Buffer.alloc(8192, 'a'), Buffer.alloc(100, 'b')];
    const good = streamingPut('streamed.bin', chunks);
    const stored = await fetch(`${gateway.url}/${BUCKET}/streamed.bin`, { method: 'PUT', headers: good.headers, body: new Uint8Array(good.body) });
    expect(stored.status).toBe(200);
    const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin' }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(Buffer.concat(chunks))).toBe(true);

    const bad = streamingPut('tampered.bin', chunks, true);
    const refused = await fetch(`${gateway.url}/${BUCKET}/tampered.bin`, { method: 'PUT', headers: bad.headers, body: new Uint8Array(bad.body) });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const missing = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'tampered.bin' }), { expiresIn: 60 }));
    expect(missing.status).toBe(404);
  });
});
