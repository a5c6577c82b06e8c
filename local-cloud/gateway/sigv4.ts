/**
 * Signature Version 4 verification, as AWS checks every request: the Authorization header
 * (`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`) or a presigned query
 * (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
 * `X-Amz-Signature`), against the access key registry (access-keys.ts). The canonical request is built from
 * the request as received (raw path and query), S3's path taken as sent and every other service's encoded
 * once more, as the SDKs sign them. The payload hash is `x-amz-content-sha256` when sent (checked against
 * the body when it is a hash; `UNSIGNED-PAYLOAD` and the `STREAMING-*` forms as S3 takes them; signed chunks
 * are checked by sigv4-streaming.ts), else the body's SHA-256.
 *
 * Written here rather than taken from a library: the SDK's signer (`@smithy/signature-v4`) signs but does not
 * verify, and verifying needs the request exactly as received, which a re-signing client does not see.
 *
 * Failures are SignatureFailure with a kind (missing, unknown key, bad signature, skewed clock, ...); the
 * gateway answers each in the service's own error shape (auth-errors.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessKey, AccessKeyLookup } from './access-keys.ts';
import type { AwsRequest } from './provider.ts';
import { verifyStreamingPayload } from './sigv4-streaming.ts';

/** Longest X-Amz-Expires S3 accepts (seven days). */
export const MAX_PRESIGN_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
/** How far a request's time may be from the server's (AWS: 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const STREAMING_SIGNED = new Set(['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER']);
const LITERAL_PAYLOADS = new Set(['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', ...STREAMING_SIGNED]);

/** Why a request's signature was refused. */
export type SignatureFailureKind =
  | 'missing'
  | 'malformed'
  | 'unknown-key'
  | 'invalid-token'
  | 'bad-signature'
  | 'skewed'
  | 'expired'
  | 'payload-mismatch';

/** A refused signature; `message` is safe to send (it names no secret). */
export class SignatureFailure extends Error {
  constructor(
    readonly kind: SignatureFailureKind,
    message: string,
    /** Where the signature was: the Authorization header or a presigned query. */
    readonly location: 'header' | 'query' | 'none',
    readonly details: { accessKeyId?: string; requestTime?: string; serverTime?: string } = {},
  ) {
    super(message);
    this.name = 'SignatureFailure';
  }
}

/** Who signed a verified request. */
export interface VerifiedCaller {
  accessKeyId: string;
  /** The key's identity label in the registry. */
  identity: string;
}

/** RFC 3986 encoding as SigV4 wants it (`encodeURIComponent` plus `!'()*`). */
export function sigv4Encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function hmacSha256(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The signing key for a secret and a credential scope. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmacSha256(hmacSha256(hmacSha256(hmacSha256(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

/** Parses `20260101T120000Z`. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** `20260101T120000Z` for a time. */
export function formatAmzDate(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The canonical query string from a raw query: every parameter but `omit`, decoded, re-encoded and sorted. */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    if (key === omit) continue;
    pairs.push([sigv4Encode(key), sigv4Encode(decodeComponent(eq < 0 ? '' : part.slice(eq + 1)))]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** The canonical URI: S3's path as sent; every other service's path encoded once more (as the SDKs sign it). */
export function canonicalUri(rawPath: string, service: string): string {
  const path = rawPath || '/';
  if (service === 's3') return path;
  return path
    .split('/')
    .map((segment) => sigv4Encode(segment))
    .join('/');
}

/** The canonical header lines of the signed headers (`name:value\n` each). */
function canonicalHeaders(headers: Record<string, string>, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => `${name}:${(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
}

/** The hex signature of a canonical request. */
export function signatureOf(key: Buffer, amzDate: string, scope: string, canonicalRequest: string): string {
  const stringToSign = [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  return hmacSha256(key, stringToSign).toString('hex');
}

/** Constant-time comparison of two hex signatures. */
export function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The parts of a signature, from the header or the query. */
interface SignatureParts {
  location: 'header' | 'query';
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  sessionToken?: string;
}

const MALFORMED_HEADER = 'Authorization header requires Credential, SignedHeaders and Signature parameters.';

function headerParts(authorization: string, headers: Record<string, string>): SignatureParts {
  const fields = new Map<string, string>();
  for (const field of authorization.slice(SIGV4_ALGORITHM.length).split(',')) {
    const eq = field.indexOf('=');
    if (eq > 0) fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) throw new SignatureFailure('malformed', MALFORMED_HEADER, 'header');
  const [accessKeyId, date, region, service, terminator] = credential.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') {
    throw new SignatureFailure('malformed', `Credential should be scoped to a valid region and service: ${credential.split('/').slice(1).join('/')}`, 'header');
  }
  const httpDate = headers['date'] ? Date.parse(headers['date']) : NaN;
  const amzDate = headers['x-amz-date'] ?? (Number.isFinite(httpDate) ? formatAmzDate(httpDate) : '');
  return {
    location: 'header',
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(';').filter(Boolean),
    signature,
    amzDate,
    ...(headers['x-amz-security-token'] !== undefined ? { sessionToken: headers['x-amz-security-token'] } : {}),
  };
}

function queryParts(query: URLSearchParams): SignatureParts {
  const malformed = (message: string): SignatureFailure => new SignatureFailure('malformed', message, 'query');
  if (query.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const [accessKeyId, date, region, service, terminator] = (query.get('X-Amz-Credential') ?? '').split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request') throw malformed('Error parsing the X-Amz-Credential parameter.');
  const signature = query.get('X-Amz-Signature');
  if (!signature) throw malformed('Query-string authentication requires the X-Amz-Signature parameter.');
  const token = query.get('X-Amz-Security-Token');
  return {
    location: 'query',
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean),
    signature,
    amzDate: query.get('X-Amz-Date') ?? '',
    ...(token !== null ? { sessionToken: token } : {}),
  };
}

/** The request-time and key checks common to both forms; answers the key. */
function checkKeyAndTime(parts: SignatureParts, keys: AccessKeyLookup, now: number): { key: AccessKey; signedAt: number } {
  const key = keys.lookup(parts.accessKeyId);
  if (!key) throw new SignatureFailure('unknown-key', 'The security token included in the request is invalid.', parts.location, { accessKeyId: parts.accessKeyId });
  if (key.sessionToken !== undefined ? parts.sessionToken !== key.sessionToken : parts.sessionToken !== undefined) {
    throw new SignatureFailure('invalid-token', 'The security token included in the request is invalid.', parts.location);
  }
  const signedAt = parseAmzDate(parts.amzDate);
  if (signedAt === undefined) {
    throw new SignatureFailure(
      'malformed',
      parts.location === 'query' ? 'X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"' : 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.',
      parts.location,
    );
  }
  if (!parts.amzDate.startsWith(parts.date)) {
    throw new SignatureFailure('bad-signature', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts.date}' != '${parts.amzDate.slice(0, 8)}'`, parts.location);
  }
  return { key, signedAt };
}

/**
 * Verifies a request's SigV4 signature. `rawTarget` is the request line's target as received (path and
 * query, undecoded). Answers who signed it; throws SignatureFailure.
 */
export function verifyRequestSignature(request: AwsRequest, rawTarget: string, keys: AccessKeyLookup, now: number): VerifiedCaller {
  const authorization = request.headers['authorization'];
  let parts: SignatureParts;
  if (authorization !== undefined && authorization.length > 0) {
    if (!authorization.startsWith(`${SIGV4_ALGORITHM} `)) {
      throw new SignatureFailure('malformed', 'Only the AWS4-HMAC-SHA256 (Signature Version 4) authorization is supported.', 'header');
    }
    parts = headerParts(authorization, request.headers);
  } else if (request.query.has('X-Amz-Signature') || request.query.has('X-Amz-Credential') || request.query.has('X-Amz-Algorithm')) {
    parts = queryParts(request.query);
  } else {
    throw new SignatureFailure('missing', 'Request is missing Authentication Token', 'none');
  }
  const { key, signedAt } = checkKeyAndTime(parts, keys, now);

  let payloadHash: string;
  if (parts.location === 'query') {
    const expires = Number(request.query.get('X-Amz-Expires') ?? (parts.service === 's3' ? NaN : 900));
    if (!Number.isInteger(expires) || expires < 1) throw new SignatureFailure('malformed', 'X-Amz-Expires should be a number', 'query');
    if (expires > MAX_PRESIGN_EXPIRES_SECONDS) {
      throw new SignatureFailure('malformed', 'X-Amz-Expires must be less than a week (in seconds) that is; the maximum expires is 604800 seconds', 'query');
    }
    if (now > signedAt + expires * 1000) throw new SignatureFailure('expired', 'Request has expired', 'query');
    payloadHash = parts.service === 's3' ? (request.query.get('X-Amz-Content-Sha256') ?? request.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD') : sha256Hex(request.body);
  } else {
    if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
      const serverTime = formatAmzDate(now);
      const bound = formatAmzDate(signedAt < now ? now - MAX_CLOCK_SKEW_MS : now + MAX_CLOCK_SKEW_MS);
      const message =
        signedAt < now
          ? `Signature expired: ${parts.amzDate} is now earlier than ${bound} (${serverTime} - 15 min.)`
          : `Signature not yet current: ${parts.amzDate} is still later than ${bound} (${serverTime} + 15 min.)`;
      throw new SignatureFailure('skewed', message, 'header', { requestTime: new Date(signedAt).toISOString(), serverTime: new Date(now).toISOString() });
    }
    const declared = request.headers['x-amz-content-sha256'];
    if (declared === undefined) payloadHash = sha256Hex(request.body);
    else if (LITERAL_PAYLOADS.has(declared)) payloadHash = declared;
    else if (/^[0-9a-f]{64}$/.test(declared)) {
      if (declared !== sha256Hex(request.body)) {
        throw new SignatureFailure('payload-mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 'header');
      }
      payloadHash = declared;
    } else throw new SignatureFailure('malformed', `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- form or a SHA-256 value.`, 'header');
  }
  if (!parts.signedHeaders.includes('host')) {
    throw new SignatureFailure('malformed', "'Host' must be a signed header", parts.location);
  }

  const query = rawTarget.includes('?') ? rawTarget.slice(rawTarget.indexOf('?') + 1) : '';
  const rawPath = rawTarget.split('?')[0] ?? '/';
  const canonicalRequest = [
    request.method,
    canonicalUri(rawPath, parts.service),
    canonicalQuery(query, parts.location === 'query' ? 'X-Amz-Signature' : undefined),
    canonicalHeaders(request.headers, parts.signedHeaders),
    parts.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${parts.date}/${parts.region}/${parts.service}/aws4_request`;
  const signing = signingKey(key.secretAccessKey, parts.date, parts.region, parts.service);
  if (!sameSignature(parts.signature, signatureOf(signing, parts.amzDate, scope, canonicalRequest))) {
    throw new SignatureFailure(
      'bad-signature',
      parts.service === 's3'
        ? 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'
        : 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      parts.location,
    );
  }
  if (STREAMING_SIGNED.has(payloadHash)) {
    verifyStreamingPayload(request.body, { signingKey: signing, amzDate: parts.amzDate, scope, seedSignature: parts.signature, trailer: payloadHash.endsWith('-TRAILER') });
  }
  return { accessKeyId: key.accessKeyId, identity: key.identity };
}
