/**
 * Creating an upload: counted against the user's daily quotas (429 when spent), a key under the caller's
 * media prefix, and a presigned PUT bound to type, size and the `unclaimed` tag (the bucket deletes an upload
 * no track claims after UNCLAIMED_UPLOAD_DAYS).
 */
import { randomUUID } from 'node:crypto';
import {
  ENV,
  MEDIA_UPLOAD_URL_SECONDS,
  mediaOwnerPrefix,
  UNCLAIMED_UPLOAD_TAGGING,
  type CreateMediaBody,
  type CreateMediaResponse,
} from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { presignMediaUpload } from '#helpers/presign-media-upload';
import { safeFileName } from '#helpers/safe-file-name';
import { logger } from '../powertools.ts';
import { reserveMediaUpload } from '../rate-limits.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** The key of a new upload: `media/<owner segment>/<uuid>/<safe file name>`. */
export const newMediaKey = (userId: string, fileName: string, id: string = randomUUID()): string =>
  `${mediaOwnerPrefix(userId)}${id}/${safeFileName(fileName)}`;

/** Presigns the upload of one file; answers where to PUT it and how to play it. */
export async function createMediaUpload(
  request: { userId: string; media: CreateMediaBody },
  now: () => Date = () => new Date(),
): Promise<CreateMediaResponse> {
  await reserveMediaUpload(request.userId, request.media.sizeBytes);
  const key = newMediaKey(request.userId, request.media.fileName);
  const signedAt = now();
  const uploadUrl = await presignMediaUpload({
    bucket: mediaBucket,
    key,
    contentType: request.media.contentType,
    sizeBytes: request.media.sizeBytes,
    tagging: UNCLAIMED_UPLOAD_TAGGING,
    expiresInSeconds: MEDIA_UPLOAD_URL_SECONDS,
    signedAt,
  });
  logger.info('Media upload created', { key, contentType: request.media.contentType, sizeBytes: request.media.sizeBytes });
  return {
    uploadUrl,
    uploadHeaders: {
      'content-type': request.media.contentType,
      'content-length': String(request.media.sizeBytes),
      'x-amz-tagging': UNCLAIMED_UPLOAD_TAGGING,
    },
    programUrl: `s3://${mediaBucket}/${key}`,
    key,
    expiresAt: new Date(signedAt.getTime() + MEDIA_UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}
