/** A presigned GET of an object of the media bucket. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '#clients/s3';

/** Signs a GetObject URL valid for `expiresInSeconds`. */
export async function presignDownload(args: { bucket: string; key: string; expiresInSeconds: number }): Promise<string> {
  return await getSignedUrl(s3Client, new GetObjectCommand({ Bucket: args.bucket, Key: args.key }), { expiresIn: args.expiresInSeconds });
}
