/**
 * Where recordings are written: S3 through the AWS SDK (endpoint from the SDK's standard configuration), or
 * anything with the same two calls (tests use an in-memory store).
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface RecordingObjectStore {
  put(bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(bucket: string, key: string): Promise<Buffer | undefined>;
}

/** An S3 client-backed store. */
export function s3RecordingStore(client: S3Client = new S3Client({})): RecordingObjectStore {
  return {
    async put(bucket, key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(bucket, key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : Buffer.alloc(0);
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}

/** Joins a recording prefix and a relative path into a key. */
export function recordingKey(recordingPrefix: string, path: string): string {
  return `${recordingPrefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
