import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IvsRecording } from '#infra/constructs/ivs-recording';
import { MediaBucket } from '#infra/constructs/media-bucket';

describe('IvsRecording', () => {
  const stack = new Stack(new App(), 'Test');
  const media = new MediaBucket(stack, 'Media', { allowedOrigins: ['*'] });
  new IvsRecording(stack, 'Recording', { bucket: media.bucket });
  const template = Template.fromStack(stack);
  const bucketId = stack.getLogicalId(media.bucket.node.defaultChild as never);

  it('records compositions into the media bucket, after its bucket policy exists', () => {
    const [storage] = Object.values(template.findResources('AWS::IVS::StorageConfiguration'));
    expect(storage?.Properties).toEqual({ Name: 'shelcaster-recordings', S3: { BucketName: { Ref: bucketId } } });
    const policyId = Object.keys(template.findResources('AWS::S3::BucketPolicy'))[0];
    expect(storage?.DependsOn).toContain(policyId);
  });

  it('encodes the composition at 720p30, 2.5 Mbps', () => {
    template.hasResourceProperties('AWS::IVS::EncoderConfiguration', {
      Name: 'shelcaster-program',
      Video: { Width: 1280, Height: 720, Framerate: 30, Bitrate: 2_500_000 },
    });
  });
});
