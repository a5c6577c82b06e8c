/**
 * S3 state on disk: `<dataDir>/s3/<bucket>/bucket.json`, and per object `objects/<sha256(key)>.data` with
 * `<sha256(key)>.json` metadata. Data is written before metadata, each through a temporary file and a
 * rename, so a crash leaves either the old object or the new one. An in-memory index serves listings.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import type { LifecycleRule } from './lifecycle.ts';
import type { TagSet } from './tagging.ts';

export interface ObjectMeta {
  key: string;
  size: number;
  /** Quoted MD5 hex, as S3 sends it. */
  etag: string;
  lastModified: number;
  contentType: string;
  /** Other standard headers kept with the object (content-disposition, cache-control, ...). */
  headers: Record<string, string>;
  /** User metadata (x-amz-meta-*), names without the prefix. */
  metadata: Record<string, string>;
  /** Checked additional checksums, algorithm → base64. */
  checksums: Record<string, string>;
  /** The object's tag set (x-amz-tagging, PutObjectTagging). */
  tags?: TagSet;
}

export interface BucketMeta {
  name: string;
  createdAt: number;
  /** The bucket's lifecycle rules (PutBucketLifecycleConfiguration). */
  lifecycle?: LifecycleRule[];
}

interface Bucket {
  meta: BucketMeta;
  objects: Map<string, ObjectMeta>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function fileId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function writeAtomically(file: string, data: Buffer | string): void {
  const tmp = `${file}.${randomUUID()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Buckets and objects on disk. */
export class S3Store {
  private readonly buckets = new Map<string, Bucket>();
  /** `<dataDir>/s3`: one directory per bucket. */
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 's3');
    mkdirSync(this.root, { recursive: true });
    for (const name of readdirSync(this.root)) this.loadBucket(name);
  }

  /** Creates a bucket; false when it already existed. */
  createBucket(name: string, now: number): boolean {
    if (!BUCKET_NAME.test(name) || name.includes('..')) throw new AwsServiceError('InvalidBucketName', 'The specified bucket is not valid.', 400);
    if (this.buckets.has(name)) return false;
    const meta: BucketMeta = { name, createdAt: now };
    mkdirSync(join(this.root, name, 'objects'), { recursive: true });
    writeAtomically(join(this.root, name, 'bucket.json'), JSON.stringify(meta));
    this.buckets.set(name, { meta, objects: new Map() });
    return true;
  }

  /** The bucket, or NoSuchBucket. */
  getBucket(name: string): BucketMeta {
    return this.bucket(name).meta;
  }

  /** Buckets by name. */
  listBuckets(): BucketMeta[] {
    return [...this.buckets.values()].map((b) => b.meta).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Sets (or, with undefined, deletes) the bucket's lifecycle configuration. */
  setLifecycle(name: string, rules: LifecycleRule[] | undefined): void {
    const bucket = this.bucket(name);
    const { lifecycle: _old, ...rest } = bucket.meta;
    bucket.meta = rules ? { ...rest, lifecycle: rules } : rest;
    writeAtomically(join(this.root, name, 'bucket.json'), JSON.stringify(bucket.meta));
  }

  /** Replaces an object's tag set (its metadata file rewritten), or NoSuchKey. */
  setObjectTags(bucketName: string, key: string, tags: TagSet): void {
    const meta = { ...this.headObject(bucketName, key), tags };
    writeAtomically(join(this.root, bucketName, 'objects', `${fileId(key)}.json`), JSON.stringify(meta));
    this.bucket(bucketName).objects.set(key, meta);
  }

  /** Deletes an empty bucket. */
  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw new AwsServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
    rmSync(join(this.root, name), { recursive: true, force: true });
    this.buckets.delete(name);
  }

  /** Stores an object (data first, then metadata). */
  putObject(bucketName: string, meta: ObjectMeta, data: Buffer): void {
    const bucket = this.bucket(bucketName);
    const base = join(this.root, bucketName, 'objects', fileId(meta.key));
    writeAtomically(`${base}.data`, data);
    writeAtomically(`${base}.json`, JSON.stringify(meta));
    bucket.objects.set(meta.key, meta);
  }

  /** A new file name in the bucket's directory, to assemble an object in before putObjectFile. */
  stagingFile(bucketName: string): string {
    this.bucket(bucketName);
    return join(this.root, bucketName, 'objects', `${randomUUID()}.staging.tmp`);
  }

  /** Stores an object whose bytes are already in a file of the bucket's directory (moved into place, then metadata). */
  putObjectFile(bucketName: string, meta: ObjectMeta, file: string): void {
    const bucket = this.bucket(bucketName);
    const base = join(this.root, bucketName, 'objects', fileId(meta.key));
    renameSync(file, `${base}.data`);
    writeAtomically(`${base}.json`, JSON.stringify(meta));
    bucket.objects.set(meta.key, meta);
  }

  /** The object's metadata, or NoSuchKey. */
  headObject(bucketName: string, key: string): ObjectMeta {
    const meta = this.bucket(bucketName).objects.get(key);
    if (!meta) {
      const error = new AwsServiceError('NoSuchKey', 'The specified key does not exist.', 404);
      throw Object.assign(error, { key });
    }
    return meta;
  }

  /** A stream of the object's bytes (a byte range when given, inclusive). */
  readObject(bucketName: string, key: string, range?: { start: number; end: number }): Readable {
    this.headObject(bucketName, key);
    const file = join(this.root, bucketName, 'objects', `${fileId(key)}.data`);
    return range ? createReadStream(file, { start: range.start, end: range.end }) : createReadStream(file);
  }

  /** The object's bytes. */
  readObjectBuffer(bucketName: string, key: string): Buffer {
    this.headObject(bucketName, key);
    return readFileSync(join(this.root, bucketName, 'objects', `${fileId(key)}.data`));
  }

  /** Deletes an object; deleting a missing key succeeds (as S3 does). */
  deleteObject(bucketName: string, key: string): void {
    const bucket = this.bucket(bucketName);
    if (!bucket.objects.delete(key)) return;
    const base = join(this.root, bucketName, 'objects', fileId(key));
    rmSync(`${base}.json`, { force: true });
    rmSync(`${base}.data`, { force: true });
  }

  /** Every object of a bucket, sorted by key (UTF-8 binary order, as S3 lists). */
  listObjects(bucketName: string): ObjectMeta[] {
    return [...this.bucket(bucketName).objects.values()].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  private bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) {
      const error = new AwsServiceError('NoSuchBucket', 'The specified bucket does not exist', 404);
      throw Object.assign(error, { bucketName: name });
    }
    return bucket;
  }

  private loadBucket(name: string): void {
    const metaFile = join(this.root, name, 'bucket.json');
    if (!existsSync(metaFile)) return;
    const bucket: Bucket = { meta: JSON.parse(readFileSync(metaFile, 'utf8')) as BucketMeta, objects: new Map() };
    const dir = join(this.root, name, 'objects');
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const meta = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ObjectMeta;
        if (existsSync(join(dir, file.replace(/\.json$/, '.data')))) bucket.objects.set(meta.key, meta);
      } catch {
        // A metadata file cut short by a crash: its object was never acknowledged.
      }
    }
    this.buckets.set(name, bucket);
  }
}
