/** A presigned PUT for one upload into the media bucket, bound to its content type and length. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '#clients/s3';

/** Signs a PutObject URL; S3 refuses a PUT with another Content-Type or Content-Length (both are signed). */
export async function presignMediaUpload(args: {
  bucket: string;
  key: string;
  contentType: string;
  sizeBytes: number;
  expiresInSeconds: number;
  signedAt: Date;
}): Promise<string> {
  const command = new PutObjectCommand({ Bucket: args.bucket, Key: args.key, ContentType: args.contentType, ContentLength: args.sizeBytes });
  return await getSignedUrl(s3Client, command, {
    expiresIn: args.expiresInSeconds,
    signingDate: args.signedAt,
    // The presigner signs content-length by default but not content-type: name both.
    signableHeaders: new Set(['content-type', 'content-length']),
  });
}
