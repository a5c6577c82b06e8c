import { describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AccessKeyRegistry, OPERATOR_ACCESS_KEY } from '#local-cloud/gateway/access-keys';
import { SignatureFailure, verifyRequestSignature, type SignatureFailureKind } from '#local-cloud/gateway/sigv4';
import type { AwsRequest } from '#local-cloud/gateway/provider';

const SIGNED_AT = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));

/** An AwsRequest as the gateway builds it, from a raw target. */
function requestOf(method: string, target: string, headers: Record<string, string>, body: Buffer = Buffer.alloc(0)): AwsRequest {
  const url = new URL(target, `http://${headers['host']}`);
  return { method, path: url.pathname, query: url.searchParams, headers, body, region: 'us-east-1', url };
}

function failureOf(run: () => unknown): SignatureFailureKind | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof SignatureFailure) return error.kind;
    throw error;
  }
}

// AWS's published Signature Version 4 test suite, case "get-vanilla".
describe('header signatures (AWS SigV4 test suite)', () => {
  const keys = new AccessKeyRegistry([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', identity: 'example' }]);
  const at = Date.UTC(2015, 7, 30, 12, 36, 0);
  const vanilla = (signature: string): AwsRequest =>
    requestOf('GET', '/', {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    });

  it('accepts get-vanilla and names the caller', () => {
    expect(verifyRequestSignature(vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), '/', keys, at)).toEqual({ accessKeyId: 'AKIDEXAMPLE', identity: 'example' });
  });

  it('refuses a changed signature, an unknown key, a skewed clock and no signature, each by its kind', () => {
    expect(failureOf(() => verifyRequestSignature(vanilla('0'.repeat(64)), '/', keys, at))).toBe('bad-signature');
    expect(failureOf(() => verifyRequestSignature(vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), '/', new AccessKeyRegistry(), at))).toBe('unknown-key');
    expect(failureOf(() => verifyRequestSignature(vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), '/', keys, at + 15 * 60_000))).toBeUndefined();
    expect(failureOf(() => verifyRequestSignature(vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), '/', keys, at + 15 * 60_000 + 1000))).toBe('skewed');
    expect(failureOf(() => verifyRequestSignature(requestOf('GET', '/', { host: 'example.amazonaws.com' }), '/', keys, at))).toBe('missing');
  });

  it('checks the session token of temporary credentials', () => {
    const temporary = new AccessKeyRegistry([{ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token-1', identity: 'role' }]);
    expect(failureOf(() => verifyRequestSignature(vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'), '/', temporary, at))).toBe('invalid-token');
  });
});

// AWS's worked example of S3 streaming signatures ("Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks"): 64 KB and 1 KB of 'a', then the final chunk.
describe('streaming payload signatures (AWS S3 worked example)', () => {
  const keys = new AccessKeyRegistry([{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', identity: 'example' }]);
  const at = Date.UTC(2013, 4, 24, 0, 0, 0);
  const signatures = [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ];
  const body = (sigs: string[], second = Buffer.alloc(1024, 'a')): Buffer =>
    Buffer.concat([
      Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
      Buffer.alloc(65536, 'a'),
      Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
      second,
      Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n\r\n`),
    ]);
  const request = (payload: Buffer): AwsRequest =>
    requestOf(
      'PUT',
      '/examplebucket/chunkObject.txt',
      {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
      },
      payload,
    );

  it('accepts the chain of chunk signatures', () => {
    expect(body(signatures).length).toBe(66824);
    expect(verifyRequestSignature(request(body(signatures)), '/examplebucket/chunkObject.txt', keys, at).accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it('refuses a chunk whose data changed under its signature, and a chunk signature out of chain', () => {
    expect(failureOf(() => verifyRequestSignature(request(body(signatures, Buffer.alloc(1024, 'b'))), '/examplebucket/chunkObject.txt', keys, at))).toBe('bad-signature');
    expect(failureOf(() => verifyRequestSignature(request(body([signatures[0]!, signatures[0]!, signatures[2]!])), '/examplebucket/chunkObject.txt', keys, at))).toBe('bad-signature');
  });
});

describe('query (presigned) signatures', () => {
  const keys = new AccessKeyRegistry([OPERATOR_ACCESS_KEY]);
  async function presigned(accessKeyId: string, secretAccessKey: string, expiresIn = 900): Promise<{ request: AwsRequest; target: string }> {
    const client = new S3Client({ endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, forcePathStyle: true });
    const url = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'b', Key: "media/a b+c(1)!.wav" }), { expiresIn, signingDate: SIGNED_AT }));
    client.destroy();
    const target = `${url.pathname}${url.search}`;
    return { request: requestOf('GET', target, { host: url.host }), target };
  }

  it('accepts a URL the SDK presigned with a known key', async () => {
    const { request, target } = await presigned('test', 'test');
    expect(verifyRequestSignature(request, target, keys, SIGNED_AT.getTime() + 1000)).toEqual({ accessKeyId: 'test', identity: 'operator' });
  });

  it('refuses a URL signed with another secret, by an unknown key, after X-Amz-Expires, or sent to another host', async () => {
    const other = await presigned('test', 'other');
    expect(failureOf(() => verifyRequestSignature(other.request, other.target, keys, SIGNED_AT.getTime()))).toBe('bad-signature');
    const unknown = await presigned('AKIDANY', 'test');
    expect(failureOf(() => verifyRequestSignature(unknown.request, unknown.target, keys, SIGNED_AT.getTime()))).toBe('unknown-key');
    const short = await presigned('test', 'test', 60);
    expect(failureOf(() => verifyRequestSignature(short.request, short.target, keys, SIGNED_AT.getTime() + 60_000))).toBeUndefined();
    expect(failureOf(() => verifyRequestSignature(short.request, short.target, keys, SIGNED_AT.getTime() + 60_001))).toBe('expired');
    const moved = await presigned('test', 'test');
    moved.request.headers['host'] = '127.0.0.1:9999';
    expect(failureOf(() => verifyRequestSignature(moved.request, moved.target, keys, SIGNED_AT.getTime()))).toBe('bad-signature');
  });
});
