/**
 * Reads byte ranges of an object of the project's media bucket (GetObject with Range), with the same type
 * and size limits as any media.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { MediaFetchError, MediaRefusedError } from './media-errors.ts';
import { RangeNotSatisfiableError, rangeHeader, totalFromContentRange, type ByteRange, type MediaChunk, type MediaLimits } from './media-source.ts';

/** Reads `range` of s3://bucket/key. Throttling and 5xx are thrown as they are (transient). */
export async function readS3Media(
  s3: S3Client,
  bucket: string,
  key: string,
  range: ByteRange | undefined,
  limits: MediaLimits,
  signal: AbortSignal,
): Promise<MediaChunk> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const abortSignal = AbortSignal.any([signal, timeout]);
  let output;
  try {
    output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: rangeHeader(range) } : {}) }), { abortSignal });
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (error instanceof NoSuchKey || status === 404) throw new MediaFetchError(`media object ${key} does not exist`, { cause: error });
    if (status === 403) throw new MediaFetchError(`media object ${key} is not readable`, { cause: error });
    if (status === 416) throw new RangeNotSatisfiableError(undefined);
    if (timeout.aborted) throw new MediaFetchError('media fetch timed out', { cause: error });
    throw error;
  }
  const body = output.Body;
  const destroy = () => (body instanceof Readable ? body.destroy() : undefined);
  const contentType = (output.ContentType ?? '').split(';')[0]!.trim().toLowerCase();
  const totalBytes = output.ContentRange ? totalFromContentRange(output.ContentRange) : output.ContentLength;
  if (contentType && !limits.contentTypes.includes(contentType)) {
    destroy();
    throw new MediaRefusedError(`media content type "${contentType}" is not an accepted audio type`);
  }
  if ((totalBytes ?? 0) > limits.maxBytes) {
    destroy();
    throw new MediaRefusedError(`media is larger than ${limits.maxBytes} bytes`);
  }
  if (!(body instanceof Readable)) throw new MediaFetchError('media object has no readable body');
  return {
    status: output.ContentRange ? 206 : 200,
    contentType: contentType || 'application/octet-stream',
    totalBytes,
    contentRange: output.ContentRange,
    contentLength: output.ContentLength,
    body,
  };
}
