import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MediaBucket } from '#infra/constructs/media-bucket';
import { UNCLAIMED_UPLOAD_DAYS } from '#contract/index';

describe('MediaBucket', () => {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new MediaBucket(stack, 'Media', { allowedOrigins: ['https://console.example.com'] });
  const template = Template.fromStack(stack);

  it('is named shelcaster-media-<account>-<region>, private, encrypted and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: 'shelcaster-media-123456789012-eu-west-1',
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: Match.objectLike({}),
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses requests without TLS', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0]!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]),
    );
  });

  it('lets the console PUT with a presigned URL from its origin', () => {
    const bucket = Object.values(template.findResources('AWS::S3::Bucket'))[0]!;
    const [rule] = bucket.Properties.CorsConfiguration.CorsRules;
    expect(rule.AllowedOrigins).toEqual(['https://console.example.com']);
    expect(rule.AllowedMethods).toEqual(expect.arrayContaining(['PUT', 'GET']));
  });

  it('aborts incomplete multipart uploads after a day, and expires uploads no track claimed', () => {
    const bucket = Object.values(template.findResources('AWS::S3::Bucket'))[0]!;
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
      {
        Id: 'expire-unclaimed-uploads',
        Prefix: 'media/',
        TagFilters: [{ Key: 'shelcaster-upload', Value: 'unclaimed' }],
        ExpirationInDays: UNCLAIMED_UPLOAD_DAYS,
        Status: 'Enabled',
      },
    ]);
  });
});
