/**
 * Decoding of `Content-Encoding: aws-chunked` bodies as SDK v3 and botocore send streamed S3 uploads:
 * `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` chunks, a zero-size chunk, then trailing headers
 * (`x-amz-checksum-crc32:...`, and `x-amz-trailer-signature:...` when the trailer is signed) and a blank line.
 * The gateway reads the chunk signatures from it (sigv4-streaming.ts); the S3 provider the payload and trailers.
 */
import { AwsServiceError } from './json-protocol.ts';

/** One chunk as sent: its data and its `chunk-signature` (absent for unsigned streaming). */
export interface AwsChunk {
  data: Buffer;
  signature?: string;
}

export interface DecodedChunks {
  data: Buffer;
  /** Trailing headers, names lower-cased (the trailer signature included). */
  trailers: Record<string, string>;
  /** Every chunk in order, the final zero-size chunk included. */
  chunks: AwsChunk[];
  /** The trailing header lines as sent, in order, without the trailer signature line. */
  trailerLines: string[];
}

function incomplete(): AwsServiceError {
  return new AwsServiceError('IncompleteBody', 'The request body terminated unexpectedly', 400);
}

const CHUNK_SIGNATURE = /;\s*chunk-signature=([0-9a-f]+)/;

/** Decodes an aws-chunked body into its payload, chunks and trailers. */
export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  const chunks: AwsChunk[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) throw incomplete();
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new AwsServiceError('InvalidChunkSizeError', 'Only the last chunk is allowed to have a size less than 8192 bytes', 400);
    const signature = CHUNK_SIGNATURE.exec(header)?.[1];
    offset = lineEnd + 2;
    if (size === 0) {
      chunks.push(signature ? { data: Buffer.alloc(0), signature } : { data: Buffer.alloc(0) });
      break;
    }
    if (offset + size > body.length) throw incomplete();
    const data = body.subarray(offset, offset + size);
    parts.push(data);
    chunks.push(signature ? { data, signature } : { data });
    offset += size;
    if (body.subarray(offset, offset + 2).toString('latin1') !== '\r\n') throw incomplete();
    offset += 2;
  }
  const trailers: Record<string, string> = {};
  const trailerLines: string[] = [];
  for (const line of body.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    trailers[name] = line.slice(colon + 1).trim();
    if (name !== 'x-amz-trailer-signature') trailerLines.push(line);
  }
  return { data: Buffer.concat(parts), trailers, chunks, trailerLines };
}
