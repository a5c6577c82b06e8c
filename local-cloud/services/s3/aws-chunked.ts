/**
 * Decoding of `Content-Encoding: aws-chunked` bodies as SDK v3 and botocore send streamed uploads:
 * `<hex size>[;chunk-signature=...]\r\n<data>\r\n` chunks, a zero-size chunk, then trailing headers
 * (`x-amz-checksum-crc32:...`) and a blank line.
 */
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';

export interface DecodedChunks {
  data: Buffer;
  /** Trailing headers, names lower-cased. */
  trailers: Record<string, string>;
}

function incomplete(): AwsServiceError {
  return new AwsServiceError('IncompleteBody', 'The request body terminated unexpectedly', 400);
}

/** Decodes an aws-chunked body into its payload and trailers. */
export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw incomplete();
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new AwsServiceError('InvalidChunkSizeError', 'Only the last chunk is allowed to have a size less than 8192 bytes', 400);
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size > body.length) throw incomplete();
    parts.push(body.subarray(offset, offset + size));
    offset += size;
    if (body.subarray(offset, offset + 2).toString('latin1') !== '\r\n') throw incomplete();
    offset += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { data: Buffer.concat(parts), trailers };
}
