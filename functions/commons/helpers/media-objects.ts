/** An upload's object in the media bucket, as a track owns it: claimed (its tag set) and deleted with the track. */
import { DeleteObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { MEDIA_UPLOAD_TAG } from '#contract/index';
import { s3Client } from '#clients/s3';
import { isNoSuchObject } from './s3-objects.ts';

/**
 * Tags an upload as a track's (PutObjectTagging replaces the `unclaimed` tag set), so the bucket's lifecycle
 * rule keeps it. False when the object does not exist (its PUT has not been made).
 */
export async function claimUpload(bucket: string, key: string): Promise<boolean> {
  try {
    await s3Client.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: [{ Key: MEDIA_UPLOAD_TAG.key, Value: MEDIA_UPLOAD_TAG.track }] } }),
    );
    return true;
  } catch (error) {
    if (isNoSuchObject(error)) return false;
    throw error;
  }
}

/** Deletes an upload's object (S3 answers a missing object as deleted). */
export async function deleteUpload(bucket: string, key: string): Promise<void> {
  await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
