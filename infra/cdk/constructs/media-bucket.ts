/**
 * The media bucket: uploaded programs under `media/` (presigned PUT from the console) and composition
 * recordings under `recordings/` (written by IVS through the storage configuration).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MEDIA_KEY_PREFIX, MEDIA_UPLOAD_URL_SECONDS, mediaBucketName } from '#contract/index';

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
}
