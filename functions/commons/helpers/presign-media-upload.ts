/** A presigned PUT for one upload into the media bucket, bound to its content type and length. */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3Client } from '#clients/s3';

/**
 * Signs a PutObject URL; S3 refuses a PUT with another Content-Type, Content-Length or tag set (all three
 * are signed headers), so an upload always carries the tagging it was given.
 */
export async function presignMediaUpload(args: {
  bucket: string;
  key: string;
  contentType: string;
  sizeBytes: number;
  /** The object's tag set, `key=value&...` (the x-amz-tagging header). */
  tagging: string;
  expiresInSeconds: number;
  signedAt: Date;
}): Promise<string> {
  const command = new PutObjectCommand({ Bucket: args.bucket, Key: args.key, ContentType: args.contentType, ContentLength: args.sizeBytes, Tagging: args.tagging });
  return await getSignedUrl(s3Client, command, {
    expiresIn: args.expiresInSeconds,
    signingDate: args.signedAt,
    // The presigner signs content-length by default but not content-type: name both; the tagging stays a
    // signed header (hoisted into the query it could be dropped by the uploader).
    signableHeaders: new Set(['content-type', 'content-length', 'x-amz-tagging']),
    unhoistableHeaders: new Set(['x-amz-tagging']),
  });
}
