/** Small reads of the media bucket: whether an object exists, and an object's bytes. */
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound } from '@aws-sdk/client-s3';
import { s3Client } from '#clients/s3';

/** Whether an S3 error says the object is not there (404). A 403 is not that: it is thrown. */
export function isNoSuchObject(error: unknown): boolean {
  if (error instanceof NoSuchKey || error instanceof NotFound) return true;
  const candidate = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  return candidate?.name === 'NoSuchKey' || candidate?.name === 'NotFound' || candidate?.$metadata?.httpStatusCode === 404;
}

/** HeadObject: true when the object exists, false on 404. */
export async function objectExists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3Client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isNoSuchObject(error)) return false;
    throw error;
  }
}

/** GetObject: the object's bytes, or undefined on 404. */
export async function readObjectBytes(bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const { Body } = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Body ? await Body.transformToByteArray() : new Uint8Array(0);
  } catch (error) {
    if (isNoSuchObject(error)) return undefined;
    throw error;
  }
}

/** The first `bytes` bytes of an object (a ranged GetObject) and its whole size; undefined on 404. */
export async function readObjectPrefix(bucket: string, key: string, bytes: number): Promise<{ prefix: Uint8Array; size: number } | undefined> {
  try {
    const answer = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
    const prefix = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array(0);
    const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
    return { prefix, size: total === undefined ? prefix.byteLength : Number(total) };
  } catch (error) {
    if (isNoSuchObject(error)) return undefined;
    throw error;
  }
}
