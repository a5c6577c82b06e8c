/**
 * Verification of SigV4 query-string signatures (presigned URLs), as S3 checks them: the canonical
 * request from the method, path, query (without X-Amz-Signature), signed headers and payload hash,
 * signed with the secret for the credential's date, region and service.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AwsServiceError } from './json-protocol.ts';
import type { AwsRequest } from './provider.ts';

/** Longest X-Amz-Expires S3 accepts (seven days). */
export const MAX_PRESIGN_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

/** RFC 3986 encoding as SigV4 wants it (`encodeURIComponent` plus `!'()*`). */
export function sigv4Encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** Parses `20260101T120000Z`. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The canonical query string: every parameter but the signature, encoded and sorted. */
function canonicalQuery(query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [key, value] of query) if (key !== 'X-Amz-Signature') pairs.push([sigv4Encode(key), sigv4Encode(value)]);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * Checks a presigned request's signature and expiry against `secretAccessKey` (any access key id is
 * accepted). Throws AwsServiceError: AccessDenied for an expired URL, SignatureDoesNotMatch for a wrong
 * signature, AuthorizationQueryParametersError for malformed parameters.
 */
export function verifyPresignedRequest(request: AwsRequest, secretAccessKey: string, now: number): void {
  const q = request.query;
  const malformed = (message: string): AwsServiceError => new AwsServiceError('AuthorizationQueryParametersError', message, 400);
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = q.get('X-Amz-Credential') ?? '';
  const [, date, region, service, terminator] = credential.split('/');
  if (!date || !region || !service || terminator !== 'aws4_request') throw malformed('Error parsing the X-Amz-Credential parameter.');
  const amzDate = q.get('X-Amz-Date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw malformed('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"');
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1) throw malformed('X-Amz-Expires should be a number');
  if (expires > MAX_PRESIGN_EXPIRES_SECONDS) throw malformed('X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds');
  if (now > signedAt + expires * 1000) throw new AwsServiceError('AccessDenied', 'Request has expired', 403);
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
  const headerLines = signedHeaders.map((name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonicalRequest = [request.method, request.url.pathname, canonicalQuery(q), headerLines, signedHeaders.join(';'), payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(q.get('X-Amz-Signature') ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403);
  }
}
