/**
 * S3's streaming payload signatures (`x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, and its
 * `-TRAILER` form): every chunk of an aws-chunked body carries a signature chained from the request's own
 * (the seed), over the chunk's SHA-256; with a trailer, the trailing headers are signed last. One chunk out
 * of chain, or data changed under its signature, and the whole request is refused as SignatureDoesNotMatch.
 */
import { decodeAwsChunked } from './aws-chunked.ts';
import { AwsServiceError } from './json-protocol.ts';
import { EMPTY_SHA256, hmacSha256, sameSignature, sha256Hex, SignatureFailure } from './sigv4.ts';

export interface StreamingSignatureContext {
  signingKey: Buffer;
  amzDate: string;
  /** `date/region/s3/aws4_request` */
  scope: string;
  /** The request's header signature. */
  seedSignature: string;
  /** Whether the body ends with a signed trailer (`x-amz-trailer-signature`). */
  trailer: boolean;
}

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

/** The signature of one chunk, chained from the previous signature. */
export function chunkSignature(context: Omit<StreamingSignatureContext, 'seedSignature' | 'trailer'>, previous: string, data: Buffer): string {
  const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', context.amzDate, context.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n');
  return hmacSha256(context.signingKey, stringToSign).toString('hex');
}

/** The signature of the trailing headers (`name:value\n` each), chained from the last chunk's. */
export function trailerSignature(context: Omit<StreamingSignatureContext, 'seedSignature' | 'trailer'>, previous: string, trailerLines: readonly string[]): string {
  const canonical = trailerLines.map((line) => `${line.slice(0, line.indexOf(':')).trim().toLowerCase()}:${line.slice(line.indexOf(':') + 1).trim()}\n`).join('');
  const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', context.amzDate, context.scope, previous, sha256Hex(canonical)].join('\n');
  return hmacSha256(context.signingKey, stringToSign).toString('hex');
}

/**
 * Checks every chunk signature of a signed aws-chunked body. A body that does not decode is left to the S3
 * provider, which refuses it with the same decoder (IncompleteBody), so nothing unverified is stored.
 */
export function verifyStreamingPayload(body: Buffer, context: StreamingSignatureContext): void {
  let decoded;
  try {
    decoded = decodeAwsChunked(body);
  } catch (error) {
    if (error instanceof AwsServiceError) return;
    throw error;
  }
  let previous = context.seedSignature;
  for (const chunk of decoded.chunks) {
    const expected = chunkSignature(context, previous, chunk.data);
    if (!chunk.signature || !sameSignature(chunk.signature, expected)) throw new SignatureFailure('bad-signature', MISMATCH, 'header');
    previous = expected;
  }
  if (context.trailer) {
    const given = decoded.trailers['x-amz-trailer-signature'];
    if (!given || !sameSignature(given, trailerSignature(context, previous, decoded.trailerLines))) {
      throw new SignatureFailure('bad-signature', MISMATCH, 'header');
    }
  }
}
