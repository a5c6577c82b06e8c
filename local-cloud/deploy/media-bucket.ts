/**
 * The media bucket (infra/constructs/media-bucket.ts): uploads under `media/`, recordings under
 * `recordings/`. Locally the bucket answers every origin's CORS preflight and has no lifecycle rules.
 */
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { mediaBucketName } from '#contract/index';

/** Creates the media bucket unless it exists; answers its name. */
export async function deployMediaBucket(s3: S3Client, account: string, region: string): Promise<string> {
  const Bucket = mediaBucketName(account, region);
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
  return Bucket;
}
