import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { recordingKey, s3RecordingStore } from '#local-cloud/stage/recording-store';

describe('The S3 recording store', () => {
  it('puts objects with their content type', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    await s3RecordingStore(new S3Client({ region: 'us-east-1' })).put('bucket', 'a/b.json', '{}', 'application/json');
    expect(s3).toReceiveCommandWith(PutObjectCommand, { Bucket: 'bucket', Key: 'a/b.json', Body: '{}', ContentType: 'application/json' });
    s3.restore();
  });

  it('reads an object, and undefined for a missing key', async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand, { Key: 'there' }).resolves({
      // Only the method the store calls; the SDK's stream type has many more.
      Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('hello')) } as unknown as GetObjectCommandOutput['Body'],
    });
    s3.on(GetObjectCommand, { Key: 'missing' }).rejects(new NoSuchKey({ message: 'no', $metadata: {} }));
    const store = s3RecordingStore(new S3Client({ region: 'us-east-1' }));
    expect((await store.get('bucket', 'there'))?.toString()).toBe('hello');
    expect(await store.get('bucket', 'missing')).toBeUndefined();
    s3.restore();
  });
});

describe('recordingKey', () => {
  it('joins a prefix and a path with one slash', () => {
    expect(recordingKey('stage/session/comp/composite/', '/events/recording-started.json')).toBe('stage/session/comp/composite/events/recording-started.json');
  });
});
