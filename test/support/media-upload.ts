/**
 * Puts a track where a host's uploads go (`media/<userId>/...` in the media bucket) and names it the way a
 * PLAY_MEDIA command does (`s3://<bucket>/<key>`).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MEDIA_KEY_PREFIX } from '#contract/index';
import { LOCAL_MEDIA_BUCKET, localClientConfig } from './recording.ts';

/** Uploads a file with PutObject; returns its programUrl. */
export async function putMedia(awsEndpoint: string, userId: string, filePath: string, contentType = 'audio/wav'): Promise<string> {
  // The local S3 stores what it is sent; a checksum is only computed when an operation requires one.
  const s3 = new S3Client({ ...localClientConfig(awsEndpoint), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const key = `${MEDIA_KEY_PREFIX}${userId}/${Date.now()}-${basename(filePath)}`;
  await s3.send(new PutObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key, Body: await readFile(filePath), ContentType: contentType }));
  return `s3://${LOCAL_MEDIA_BUCKET}/${key}`;
}
