/**
 * The media bucket (infra/constructs/media-bucket.ts): uploads under `media/`, recordings under
 * `recordings/`, and the lifecycle rule that expires unclaimed uploads (MEDIA_LIFECYCLE_RULE), as CDK sets it.
 * Locally the bucket answers every origin's CORS preflight.
 */
import { CreateBucketCommand, HeadBucketCommand, PutBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { MEDIA_LIFECYCLE_RULE, mediaBucketName } from '#contract/index';

/** Creates the media bucket unless it exists, sets its lifecycle rule; answers its name. */
export async function deployMediaBucket(s3: S3Client, account: string, region: string): Promise<string> {
  const Bucket = mediaBucketName(account, region);
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
  const rule = MEDIA_LIFECYCLE_RULE;
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: rule.id,
            Status: 'Enabled',
            Filter: { And: { Prefix: rule.prefix, Tags: [{ Key: rule.tag.key, Value: rule.tag.value }] } },
            Expiration: { Days: rule.expirationDays },
          },
        ],
      },
    }),
  );
  return Bucket;
}
