import { describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { verifyPresignedRequest } from '#local-cloud/gateway/sigv4';
import type { AwsRequest } from '#local-cloud/gateway/provider';

const SIGNED_AT = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

async function presignedRequest(secretAccessKey: string, expiresIn = 900): Promise<AwsRequest> {
  const client = new S3Client({ endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', credentials: { accessKeyId: 'ANYKEY', secretAccessKey }, forcePathStyle: true });
  const url = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'b', Key: 'media/a b+c.wav' }), { expiresIn, signingDate: SIGNED_AT }));
  client.destroy();
  return { method: 'GET', path: url.pathname, query: url.searchParams, headers: { host: url.host }, body: Buffer.alloc(0), region: 'us-east-1', url };
}

describe('verifyPresignedRequest', () => {
  it('accepts a URL the SDK presigned with the local secret, whatever the access key id', async () => {
    const request = await presignedRequest('test');
    expect(() => verifyPresignedRequest(request, 'test', SIGNED_AT.getTime() + 1000)).not.toThrow();
  });

  it('refuses a URL signed with another secret', async () => {
    const request = await presignedRequest('other');
    expect(() => verifyPresignedRequest(request, 'test', SIGNED_AT.getTime())).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch', status: 403 }));
  });

  it('refuses a URL after X-Amz-Expires seconds', async () => {
    const request = await presignedRequest('test', 60);
    expect(() => verifyPresignedRequest(request, 'test', SIGNED_AT.getTime() + 60_000)).not.toThrow();
    expect(() => verifyPresignedRequest(request, 'test', SIGNED_AT.getTime() + 60_001)).toThrow(expect.objectContaining({ code: 'AccessDenied', message: 'Request has expired' }));
  });

  it('refuses a URL whose host was changed', async () => {
    const request = await presignedRequest('test');
    request.headers['host'] = '127.0.0.1:9999';
    expect(() => verifyPresignedRequest(request, 'test', SIGNED_AT.getTime())).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });
});
