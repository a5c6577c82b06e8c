/**
 * Fetches an object of the project's media bucket (GetObject), with the same size and type limits.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { FetchedFile, MediaLimits } from './https-media-fetch.ts';
import { MediaFetchError, MediaRefusedError } from './media-errors.ts';
import { saveWithinLimit } from './save-within-limit.ts';

/** Downloads s3://bucket/key into `filePath`. Throttling and 5xx are thrown as they are (transient). */
export async function fetchS3Media(s3: S3Client, bucket: string, key: string, filePath: string, limits: MediaLimits): Promise<FetchedFile> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let output;
  try {
    output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  } catch (error) {
    if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) {
      throw new MediaFetchError(`media object ${key} does not exist`, { cause: error });
    }
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 403) {
      throw new MediaFetchError(`media object ${key} is not readable`, { cause: error });
    }
    if (signal.aborted) throw new MediaFetchError('media fetch timed out', { cause: error });
    throw error;
  }
  const contentType = (output.ContentType ?? '').split(';')[0]!.trim().toLowerCase();
  const body = output.Body;
  const destroy = () => (body instanceof Readable ? body.destroy() : undefined);
  if (contentType && !limits.contentTypes.includes(contentType)) {
    destroy();
    throw new MediaRefusedError(`media content type "${contentType}" is not an accepted audio type`);
  }
  if ((output.ContentLength ?? 0) > limits.maxBytes) {
    destroy();
    throw new MediaRefusedError(`media is larger than ${limits.maxBytes} bytes`);
  }
  if (!(body instanceof Readable)) throw new MediaFetchError('media object has no readable body');
  let bytes: number;
  try {
    bytes = await saveWithinLimit(body, filePath, limits.maxBytes, signal);
  } catch (error) {
    if (error instanceof MediaRefusedError) throw error;
    throw new MediaFetchError(signal.aborted ? 'media fetch timed out' : `media download failed: ${(error as Error).message}`, { cause: error });
  }
  return { filePath, bytes, contentType: contentType || 'application/octet-stream' };
}
