/** Creating an upload: a key under the caller's media prefix and a presigned PUT bound to type and size. */
import { randomUUID } from 'node:crypto';
import { ENV, MEDIA_UPLOAD_URL_SECONDS, mediaOwnerPrefix, type CreateMediaBody, type CreateMediaResponse } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { presignMediaUpload } from '#helpers/presign-media-upload';
import { safeFileName } from '#helpers/safe-file-name';
import { logger } from '../powertools.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** The key of a new upload: `media/<owner segment>/<uuid>/<safe file name>`. */
export const newMediaKey = (userId: string, fileName: string, id: string = randomUUID()): string =>
  `${mediaOwnerPrefix(userId)}${id}/${safeFileName(fileName)}`;

/** Presigns the upload of one file; answers where to PUT it and how to play it. */
export async function createMediaUpload(
  request: { userId: string; media: CreateMediaBody },
  now: () => Date = () => new Date(),
): Promise<CreateMediaResponse> {
  const key = newMediaKey(request.userId, request.media.fileName);
  const signedAt = now();
  const uploadUrl = await presignMediaUpload({
    bucket: mediaBucket,
    key,
    contentType: request.media.contentType,
    sizeBytes: request.media.sizeBytes,
    expiresInSeconds: MEDIA_UPLOAD_URL_SECONDS,
    signedAt,
  });
  logger.info('Media upload created', { key, contentType: request.media.contentType, sizeBytes: request.media.sizeBytes });
  return {
    uploadUrl,
    uploadHeaders: { 'content-type': request.media.contentType, 'content-length': String(request.media.sizeBytes) },
    programUrl: `s3://${mediaBucket}/${key}`,
    key,
    expiresAt: new Date(signedAt.getTime() + MEDIA_UPLOAD_URL_SECONDS * 1000).toISOString(),
  };
}
