/**
 * The local S3 (REST-XML, path-style, also `<bucket>.localhost` virtual hosts): buckets and objects on
 * disk, streamed SDK v3 uploads (`aws-chunked` with trailing checksums) decoded and their checksums
 * checked, and CORS answered so a browser page (the console on 127.0.0.1:3000) can PUT to a presigned URL.
 * Signatures (header, presigned query, streaming chunks) are verified by the gateway before a request gets
 * here (local-cloud/gateway/sigv4.ts), as is the request's Origin: only allowed origins reach this provider,
 * so its CORS answers name an allowed origin or none.
 *
 * Object tags (the `x-amz-tagging` header, Put/Get/DeleteObjectTagging) and bucket lifecycle configurations
 * (Put/Get/DeleteBucketLifecycleConfiguration) are kept; expiration rules are applied (lifecycle.ts) when the
 * provider starts and every LIFECYCLE_SWEEP_MS of its clock, deleting the objects they expired.
 *
 * LIMITATIONS (what it does not emulate):
 * - Multipart uploads: create, upload part, complete and abort only (multipart.ts); no versioning, object lock, ACLs, bucket policies, notifications, encryption or
 *   storage classes; no Select, no website hosting; lifecycle rules expire current objects by days only (see lifecycle.ts).
 * - CORS is the same for every bucket (as a CORS rule allowing every origin the gateway lets in); GetBucketCors
 *   and PutBucketCors are not provided.
 * - CRC64NVME checksums are accepted unchecked; a full-object checksum is returned only as the uploader sent it.
 * - Only single byte ranges (`bytes=a-b`, `a-`, `-n`); If-Match / If-None-Match on GET/HEAD and
 *   `If-None-Match: *` on PUT; no If-(Un)Modified-Since.
 */
import { s3TargetOf, type S3Target } from './target.ts';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_REGION, type AwsRequest, type AwsResponse, type ServiceProvider } from '#local-cloud/gateway/provider';
import { systemClock, type Clock } from '#local-cloud/clock';
import { decodeAwsChunked } from '#local-cloud/gateway/aws-chunked';
import { verifyChecksums } from './checksums.ts';
import { expiredKeys, lifecycleFromXml, lifecycleXml } from './lifecycle.ts';
import { MultipartUploads } from './multipart.ts';
import { S3Store, type ObjectMeta } from './store.ts';
import { taggingXml, tagsFromHeader, tagsFromXml } from './tagging.ts';
import { copyObjectXml, deleteResultXml, errorXml, listBucketsXml, listObjectsXml, locationXml } from './xml.ts';

/** How often lifecycle expiration runs (S3 runs it about once a day; locally every hour of the provider's clock). */
export const LIFECYCLE_SWEEP_MS = 60 * 60 * 1000;

/** Headers stored with an object and returned by GET/HEAD. */
const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

export interface S3ProviderOptions {
  /** The local cloud's data directory (objects go in `<dataDir>/s3/`); a temporary directory when absent. */
  dataDir?: string;
  clock?: Clock;
}

/** The S3 provider. */
export class S3Provider implements ServiceProvider {
  readonly signingNames = ['s3'] as const;
  readonly targetPrefixes = [] as const;
  readonly store: S3Store;
  private readonly uploads: MultipartUploads;
  private readonly clock: Clock;
  private sweep?: { cancel(): void };

  constructor(options: S3ProviderOptions = {}) {
    this.store = new S3Store(options.dataDir ?? mkdtempSync(join(tmpdir(), 'local-s3-')));
    this.uploads = new MultipartUploads(this.store.root);
    this.clock = options.clock ?? systemClock;
    this.runLifecycle();
  }

  /** Deletes what the buckets' lifecycle rules have expired; answers the keys deleted, by bucket. Runs again after LIFECYCLE_SWEEP_MS. */
  runLifecycle(): Record<string, string[]> {
    this.sweep?.cancel();
    const deleted: Record<string, string[]> = {};
    for (const bucket of this.store.listBuckets()) {
      if (!bucket.lifecycle) continue;
      const keys = expiredKeys(bucket.lifecycle, this.store.listObjects(bucket.name), this.clock.now());
      for (const key of keys) this.store.deleteObject(bucket.name, key);
      if (keys.length > 0) deleted[bucket.name] = keys;
    }
    this.sweep = this.clock.setTimeout(() => this.runLifecycle(), LIFECYCLE_SWEEP_MS);
    return deleted;
  }

  async close(): Promise<void> {
    this.sweep?.cancel();
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const origin = request.headers['origin'];
    const cors: Record<string, string> = origin
      ? { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'ETag, x-amz-request-id, Content-Length, Content-Range' }
      : {};
    const requestId = createHash('sha1').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 16).toUpperCase();
    const target = s3TargetOf(request);
    try {
      if (request.method === 'OPTIONS') return this.preflight(request);
      const response = await this.dispatch(request, target);
      response.headers = { ...cors, ...response.headers };
      return response;
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      const extra: Record<string, string> = {};
      const details = error as AwsServiceError & { key?: string; bucketName?: string };
      if (details.key !== undefined) extra['Key'] = details.key;
      if (details.bucketName !== undefined) extra['BucketName'] = details.bucketName;
      return {
        status: error.status,
        headers: { ...cors, 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: request.method === 'HEAD' ? '' : errorXml(error.code, error.message, requestId, extra),
      };
    }
  }

  private preflight(request: AwsRequest): AwsResponse {
    const origin = request.headers['origin'];
    const method = request.headers['access-control-request-method'];
    if (!origin || !method) {
      throw new AwsServiceError('BadRequest', 'Insufficient information. Origin request header needed.', 400);
    }
    const headers: Record<string, string> = {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD',
      'access-control-max-age': '3000',
      'access-control-expose-headers': 'ETag, x-amz-request-id, Content-Length, Content-Range',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    };
    const requested = request.headers['access-control-request-headers'];
    if (requested) headers['access-control-allow-headers'] = requested;
    return { status: 200, headers };
  }

  private async dispatch(request: AwsRequest, target: S3Target): Promise<AwsResponse> {
    const { bucket, key } = target;
    const m = request.method;
    if (!bucket) {
      if (m === 'GET') return { status: 200, headers: { 'content-type': 'application/xml' }, body: listBucketsXml(this.store.listBuckets()) };
      throw new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
    }
    if (key === undefined) {
      if (request.query.has('lifecycle')) return this.lifecycle(bucket, request);
      if (m === 'PUT') return this.createBucket(bucket, request);
      if (m === 'HEAD') {
        this.store.getBucket(bucket);
        return { status: 200, headers: { 'x-amz-bucket-region': LOCAL_REGION } };
      }
      if (m === 'DELETE') {
        this.store.deleteBucket(bucket);
        return { status: 204 };
      }
      if (m === 'GET' && request.query.has('location')) {
        this.store.getBucket(bucket);
        return { status: 200, headers: { 'content-type': 'application/xml' }, body: locationXml(LOCAL_REGION) };
      }
      if (m === 'GET') return this.listObjects(bucket, request);
      if (m === 'POST' && request.query.has('delete')) return this.deleteObjects(bucket, request);
      throw new AwsServiceError('NotImplemented', 'A header or query you provided implies functionality that is not implemented.', 501);
    }
    if (request.query.has('tagging')) return this.tagging(bucket, key, request);
    if (request.query.has('uploads') || request.query.has('uploadId')) return this.multipart(bucket, key, request);
    if (m === 'PUT' && request.headers['x-amz-copy-source']) return this.copyObject(bucket, key, request);
    if (m === 'PUT') return this.putObject(bucket, key, request);
    if (m === 'GET' || m === 'HEAD') return this.getObject(bucket, key, request);
    if (m === 'DELETE') {
      this.store.deleteObject(bucket, key);
      return { status: 204 };
    }
    throw new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  }

  /** Put/Get/DeleteBucketLifecycleConfiguration. */
  private lifecycle(bucket: string, request: AwsRequest): AwsResponse {
    const meta = this.store.getBucket(bucket);
    if (request.method === 'PUT') {
      this.store.setLifecycle(bucket, lifecycleFromXml(this.payloadOf(request).data.toString('utf8')));
      return { status: 200, headers: {} };
    }
    if (request.method === 'DELETE') {
      this.store.setLifecycle(bucket, undefined);
      return { status: 204 };
    }
    if (request.method === 'GET') {
      if (!meta.lifecycle) throw Object.assign(new AwsServiceError('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 404), { bucketName: bucket });
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: lifecycleXml(meta.lifecycle) };
    }
    throw new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  }

  /** Put/Get/DeleteObjectTagging. */
  private tagging(bucket: string, key: string, request: AwsRequest): AwsResponse {
    const meta = this.store.headObject(bucket, key);
    if (request.method === 'PUT') {
      this.store.setObjectTags(bucket, key, tagsFromXml(this.payloadOf(request).data.toString('utf8')));
      return { status: 200, headers: {} };
    }
    if (request.method === 'DELETE') {
      this.store.setObjectTags(bucket, key, {});
      return { status: 204 };
    }
    if (request.method === 'GET') return { status: 200, headers: { 'content-type': 'application/xml' }, body: taggingXml(meta.tags ?? {}) };
    throw new AwsServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  }

  /** CreateMultipartUpload, UploadPart, CompleteMultipartUpload and AbortMultipartUpload. */
  private multipart(bucket: string, key: string, request: AwsRequest): AwsResponse {
    const m = request.method;
    const uploadId = request.query.get('uploadId') ?? '';
    this.store.getBucket(bucket);
    if (m === 'POST' && request.query.has('uploads')) {
      const { size: _size, etag: _etag, lastModified: _lastModified, checksums: _checksums, ...object } = this.metaFrom(key, request, Buffer.alloc(0), {});
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: this.uploads.create(bucket, object) };
    }
    if (m === 'PUT' && request.query.has('partNumber')) {
      const { data, checksums } = this.payloadOf(request);
      const headers: Record<string, string> = { etag: this.uploads.putPart(bucket, key, uploadId, request.query.get('partNumber'), data) };
      for (const [algorithm, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
      return { status: 200, headers };
    }
    if (m === 'POST') {
      const staging = this.store.stagingFile(bucket);
      const meta = this.uploads.complete(bucket, key, uploadId, this.payloadOf(request).data, staging, this.clock.now());
      this.store.putObjectFile(bucket, meta, staging);
      return { status: 200, headers: { 'content-type': 'application/xml' }, body: MultipartUploads.completedXml(bucket, key, meta.etag) };
    }
    if (m === 'DELETE') {
      this.uploads.abort(bucket, key, uploadId);
      return { status: 204 };
    }
    throw new AwsServiceError('NotImplemented', 'The local S3 does not implement ListParts or ListMultipartUploads.', 501);
  }

  private createBucket(bucket: string, request: AwsRequest): AwsResponse {
    const created = this.store.createBucket(bucket, this.clock.now());
    if (!created && request.region !== 'us-east-1') {
      throw new AwsServiceError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409);
    }
    // us-east-1 answers 200 to re-creating a bucket you own, for legacy reasons.
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  /** The payload of a PUT: aws-chunked decoded; checksums in headers, trailers or the presigned query checked. */
  private payloadOf(request: AwsRequest): { data: Buffer; checksums: Record<string, string> } {
    const encodings = (request.headers['content-encoding'] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    const sha = request.headers['x-amz-content-sha256'] ?? '';
    let data = request.body;
    const values: Record<string, string | undefined> = { ...request.headers };
    if (encodings.includes('aws-chunked') || sha.startsWith('STREAMING-')) {
      const decoded = decodeAwsChunked(request.body);
      data = decoded.data;
      Object.assign(values, decoded.trailers);
      const declared = request.headers['x-amz-decoded-content-length'];
      if (declared !== undefined && Number(declared) !== data.length) {
        throw new AwsServiceError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
      }
    } else if (sha && sha !== 'UNSIGNED-PAYLOAD' && /^[0-9a-f]{64}$/.test(sha) && createHash('sha256').update(data).digest('hex') !== sha) {
      throw new AwsServiceError('XAmzContentSHA256Mismatch', 'The provided \'x-amz-content-sha256\' header does not match what was computed.', 400);
    }
    for (const [name, value] of request.query) if (name.toLowerCase().startsWith('x-amz-checksum-')) values[name.toLowerCase()] = value;
    return { data, checksums: verifyChecksums(values, data) };
  }

  private putObject(bucket: string, key: string, request: AwsRequest): AwsResponse {
    this.store.getBucket(bucket);
    if (request.headers['if-none-match'] === '*' && this.exists(bucket, key)) {
      throw new AwsServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    }
    const { data, checksums } = this.payloadOf(request);
    const meta = this.metaFrom(key, request, data, checksums);
    this.store.putObject(bucket, meta, data);
    const headers: Record<string, string> = { etag: meta.etag };
    for (const [algorithm, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
    return { status: 200, headers };
  }

  private metaFrom(key: string, request: AwsRequest, data: Buffer, checksums: Record<string, string>): ObjectMeta {
    const headers: Record<string, string> = {};
    for (const name of STORED_HEADERS) {
      const value = request.headers[name];
      if (value === undefined) continue;
      const cleaned = name === 'content-encoding' ? value.split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked').join(', ') : value;
      if (cleaned) headers[name] = cleaned;
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = value;
    const tags = tagsFromHeader(request.headers['x-amz-tagging']);
    return {
      key,
      size: data.length,
      etag: `"${createHash('md5').update(data).digest('hex')}"`,
      lastModified: this.clock.now(),
      contentType: request.headers['content-type'] ?? 'binary/octet-stream',
      headers,
      metadata,
      checksums,
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
    };
  }

  private exists(bucket: string, key: string): boolean {
    try {
      this.store.headObject(bucket, key);
      return true;
    } catch {
      return false;
    }
  }

  private copyObject(bucket: string, key: string, request: AwsRequest): AwsResponse {
    const source = decodeURIComponent((request.headers['x-amz-copy-source'] ?? '').split('?')[0] ?? '').replace(/^\//, '');
    const slash = source.indexOf('/');
    if (slash < 1) throw new AwsServiceError('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 400);
    const sourceBucket = source.slice(0, slash);
    const sourceKey = source.slice(slash + 1);
    this.store.getBucket(bucket);
    const sourceMeta = this.store.headObject(sourceBucket, sourceKey);
    const data = this.store.readObjectBuffer(sourceBucket, sourceKey);
    const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
    if (!replace && sourceBucket === bucket && sourceKey === key) {
      throw new AwsServiceError('InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.', 400);
    }
    const meta: ObjectMeta = replace
      ? this.metaFrom(key, request, data, {})
      : { ...sourceMeta, key, lastModified: this.clock.now(), headers: { ...sourceMeta.headers }, metadata: { ...sourceMeta.metadata } };
    if (request.headers['x-amz-tagging-directive'] === 'REPLACE') {
      const tags = tagsFromHeader(request.headers['x-amz-tagging']);
      if (Object.keys(tags).length > 0) meta.tags = tags;
      else delete meta.tags;
    }
    this.store.putObject(bucket, meta, data);
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: copyObjectXml(meta) };
  }

  private getObject(bucket: string, key: string, request: AwsRequest): AwsResponse {
    const meta = this.store.headObject(bucket, key);
    const ifMatch = request.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').map((e) => e.trim()).includes(meta.etag)) {
      throw new AwsServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
    }
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && (ifNoneMatch === '*' || ifNoneMatch.split(',').map((e) => e.trim()).includes(meta.etag))) {
      return { status: 304, headers: { etag: meta.etag } };
    }
    const headers: Record<string, string> = {
      'content-type': meta.contentType,
      etag: meta.etag,
      'last-modified': new Date(meta.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      ...meta.headers,
    };
    for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
    const tagCount = Object.keys(meta.tags ?? {}).length;
    if (tagCount > 0) headers['x-amz-tagging-count'] = String(tagCount);
    for (const [param, header] of [
      ['response-content-type', 'content-type'],
      ['response-content-disposition', 'content-disposition'],
      ['response-cache-control', 'cache-control'],
      ['response-content-encoding', 'content-encoding'],
      ['response-content-language', 'content-language'],
      ['response-expires', 'expires'],
    ] as const) {
      const value = request.query.get(param);
      if (value !== null) headers[header] = value;
    }
    const range = this.rangeOf(request.headers['range'], meta.size);
    if (!range && request.headers['x-amz-checksum-mode'] === 'ENABLED') {
      for (const [algorithm, value] of Object.entries(meta.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
      if (Object.keys(meta.checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, body: request.method === 'HEAD' ? '' : this.store.readObject(bucket, key, range) };
    }
    headers['content-length'] = String(meta.size);
    if (request.method === 'HEAD' || meta.size === 0) return { status: 200, headers, body: '' };
    return { status: 200, headers, body: this.store.readObject(bucket, key) };
  }

  /** A single byte range, or undefined for the whole object; InvalidRange when unsatisfiable. */
  private rangeOf(header: string | undefined, size: number): { start: number; end: number } | undefined {
    const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
    if (!match) return undefined;
    const [, from, to] = match;
    let start: number;
    let end: number;
    if (from === '' && to !== '') {
      start = Math.max(0, size - Number(to));
      end = size - 1;
    } else if (from !== '') {
      start = Number(from);
      end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
    } else {
      return undefined;
    }
    if (start >= size || start > end) {
      const error = new AwsServiceError('InvalidRange', 'The requested range is not satisfiable', 416);
      throw error;
    }
    return { start, end };
  }

  private listObjects(bucket: string, request: AwsRequest): AwsResponse {
    const q = request.query;
    const v2 = q.get('list-type') === '2';
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? undefined;
    const maxKeys = Math.min(1000, Math.max(0, Number(q.get('max-keys') ?? '1000') || 0));
    const token = q.get('continuation-token') ?? undefined;
    let after = v2 ? q.get('start-after') ?? '' : q.get('marker') ?? '';
    if (v2 && token) {
      try {
        after = Buffer.from(token, 'base64url').toString('utf8');
      } catch (cause) {
        throw Object.assign(new AwsServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400), { cause });
      }
    }
    const contents: ObjectMeta[] = [];
    const commonPrefixes: string[] = [];
    let last = '';
    let isTruncated = false;
    for (const object of this.store.listObjects(bucket)) {
      if (!object.key.startsWith(prefix) || object.key <= after) continue;
      // Skip keys under a common prefix already returned on an earlier page.
      if (delimiter && after.endsWith(delimiter) && object.key.startsWith(after)) continue;
      let entry: string = object.key;
      let isPrefix = false;
      if (delimiter) {
        const at = object.key.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          entry = object.key.slice(0, at + delimiter.length);
          isPrefix = true;
        }
      }
      if (isPrefix && commonPrefixes[commonPrefixes.length - 1] === entry) continue;
      if (contents.length + commonPrefixes.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      if (isPrefix) commonPrefixes.push(entry);
      else contents.push(object);
      last = entry;
    }
    const page: Parameters<typeof listObjectsXml>[0] = {
      bucket,
      prefix,
      maxKeys,
      contents,
      commonPrefixes,
      isTruncated,
      urlEncode: q.get('encoding-type') === 'url',
    };
    if (delimiter) page.delimiter = delimiter;
    if (v2) {
      page.v2 = {};
      if (token) page.v2.continuationToken = token;
      if (q.get('start-after')) page.v2.startAfter = q.get('start-after') ?? '';
      if (isTruncated) page.v2.nextContinuationToken = Buffer.from(last).toString('base64url');
    } else {
      page.v1 = { marker: q.get('marker') ?? '' };
      if (isTruncated && delimiter) page.v1.nextMarker = last;
    }
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: listObjectsXml(page) };
  }

  private deleteObjects(bucket: string, request: AwsRequest): AwsResponse {
    this.store.getBucket(bucket);
    const { data } = this.payloadOf(request);
    const parsed = new XMLParser({ isArray: (name) => name === 'Object', parseTagValue: false }).parse(data.toString('utf8')) as {
      Delete?: { Object?: { Key?: string }[]; Quiet?: string };
    };
    const objects = parsed.Delete?.Object ?? [];
    if (objects.length > 1000) throw new AwsServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    const deleted: string[] = [];
    for (const object of objects) {
      const key = String(object.Key ?? '');
      this.store.deleteObject(bucket, key);
      deleted.push(key);
    }
    return { status: 200, headers: { 'content-type': 'application/xml' }, body: deleteResultXml(deleted, [], parsed.Delete?.Quiet === 'true') };
  }
}

/** Builds the local S3 provider. */
export function createS3Provider(options: S3ProviderOptions = {}): S3Provider {
  return new S3Provider(options);
}
