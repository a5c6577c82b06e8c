/**
 * Signs a raw HTTP request with SigV4 (Authorization header), for tests and benchmarks that send requests no
 * SDK would build (a hand-made form POST, an old X-Amz-Date, a gateway routing check). Built on the gateway's
 * own canonical-request functions, which the AWS test-suite cases in test/unit/local-cloud/gateway hold to
 * AWS's signatures; real clients (the SDK, both CLIs) are tested against the gateway separately.
 */
import { canonicalQuery, canonicalUri, sha256Hex, signatureOf, signingKey } from '#local-cloud/gateway/sigv4';

export interface RequestToSign {
  method: string;
  /** Full URL (`http://127.0.0.1:4566/path?query`). */
  url: string;
  /** Headers to send and sign (names lower-case); `x-amz-date` is added, and `host` (the URL's) unless given. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  service: string;
  region?: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Signing time; default now. */
  date?: Date;
}

/** The headers to send (including `authorization`). */
export function signRequest(input: RequestToSign): Record<string, string> {
  const url = new URL(input.url);
  const region = input.region ?? 'us-east-1';
  const amzDate = (input.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, host: input.headers?.['host'] ?? url.host, 'x-amz-date': amzDate };
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const body = input.body ?? '';
  const payloadHash = headers['x-amz-content-sha256'] ?? sha256Hex(typeof body === 'string' ? Buffer.from(body) : body);
  const signed = Object.keys(headers).map((h) => h.toLowerCase()).sort();
  const canonical = [
    input.method,
    canonicalUri(url.pathname, input.service),
    canonicalQuery(url.search.replace(/^\?/, '')),
    signed.map((h) => `${h}:${(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${input.service}/aws4_request`;
  const signature = signatureOf(signingKey(input.credentials.secretAccessKey, date, region, input.service), amzDate, scope, canonical);
  headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}
