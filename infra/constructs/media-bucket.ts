/**
 * The media bucket: uploaded programs under `media/` (presigned PUT from the console) and composition
 * recordings under `recordings/` (written by IVS through the storage configuration). Uploads no track claims
 * (still tagged unclaimed) expire after UNCLAIMED_UPLOAD_DAYS (MEDIA_LIFECYCLE_RULE).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  COMPOSITE_RECORDING_KEY_PATTERN,
  MEDIA_KEY_PREFIX,
  MEDIA_LIFECYCLE_RULE,
  MEDIA_UPLOAD_URL_SECONDS,
  RECORDING_KEY_PREFIX,
  mediaBucketName,
} from '#contract/index';

/** Days after which an unfinished multipart upload is aborted and its parts deleted. */
export const INCOMPLETE_UPLOAD_DAYS = 1;

export interface MediaBucketProps {
  /** Origins of the console allowed to PUT with a presigned URL and GET. */
  allowedOrigins: readonly string[];
}

export class MediaBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: MediaBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: mediaBucketName(stack.account, stack.region),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      cors: [
        {
          allowedMethods: [HttpMethods.PUT, HttpMethods.GET, HttpMethods.HEAD],
          allowedOrigins: [...props.allowedOrigins],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: MEDIA_UPLOAD_URL_SECONDS,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(INCOMPLETE_UPLOAD_DAYS) },
        {
          id: MEDIA_LIFECYCLE_RULE.id,
          prefix: MEDIA_LIFECYCLE_RULE.prefix,
          tagFilters: { [MEDIA_LIFECYCLE_RULE.tag.key]: MEDIA_LIFECYCLE_RULE.tag.value },
          expiration: Duration.days(MEDIA_LIFECYCLE_RULE.expirationDays),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Lets the grantee read (GetObject, which HeadObject also needs) the uploaded programs under `media/`. */
  grantReadMedia(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)],
      }),
    );
  }

  /** Lets the grantee presign uploads (PutObject) under `media/`: a presigned URL carries the signer's rights. */
  grantWriteMedia(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)],
      }),
    );
  }

  /** Lets the grantee claim an upload for a track (PutObjectTagging) and delete it with the track, under `media/`. */
  grantTrackMedia(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObjectTagging', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`)],
      }),
    );
  }

  /**
   * Lets the grantee read composite recordings where IVS writes them (`<stage>/<...>/composite/...`), and
   * read and write episodes under `recordings/` (PutObject covers multipart uploads; AbortMultipartUpload
   * cleans one up). ListBucket makes a missing object a 404 rather than a 403.
   */
  grantRecordings(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(COMPOSITE_RECORDING_KEY_PATTERN)] }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${RECORDING_KEY_PREFIX}*`)],
      }),
    );
    principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
  }
}
