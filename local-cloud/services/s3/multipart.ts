/**
 * Multipart uploads of the local S3 (what `@aws-sdk/lib-storage` Upload and `aws s3 cp` use above their part
 * size): CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload. Parts are files
 * under `<dataDir>/s3/<bucket>/uploads/<uploadId>/`; completing joins them, in the order the request lists
 * them, into one object file without holding the object in memory.
 *
 * LIMITATIONS: no ListParts, ListMultipartUploads or UploadPartCopy; part checksums are checked as they
 * arrive, but the object gets no composite checksum; uploads are never expired (no lifecycle).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import type { ObjectMeta } from './store.ts';
import { S3_XML_NAMESPACE } from './xml.ts';

/** Smallest part S3 accepts, except for the last one. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Part numbers S3 accepts. */
export const MAX_PART_NUMBER = 10_000;

/** What is known of an upload when it is created: the object's metadata but its size, ETag and time. */
export type PendingObject = Omit<ObjectMeta, 'size' | 'etag' | 'lastModified' | 'checksums'>;

interface UploadRecord {
  bucket: string;
  key: string;
  object: PendingObject;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const el = (name: string, value: string) => `<${name}>${xmlEscape(value)}</${name}>`;

const noSuchUpload = () =>
  new AwsServiceError('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404);

/** The multipart uploads of every bucket, on disk. */
export class MultipartUploads {
  constructor(private readonly root: string) {}

  /** Starts an upload; returns its InitiateMultipartUploadResult document. */
  create(bucket: string, object: PendingObject): string {
    const uploadId = randomUUID().replace(/-/g, '');
    const dir = this.dir(bucket, uploadId);
    mkdirSync(dir, { recursive: true });
    const record: UploadRecord = { bucket, key: object.key, object };
    writeFileSync(join(dir, 'upload.json'), JSON.stringify(record));
    return `${DECLARATION}<InitiateMultipartUploadResult xmlns="${S3_XML_NAMESPACE}">${el('Bucket', bucket)}${el('Key', object.key)}${el('UploadId', uploadId)}</InitiateMultipartUploadResult>`;
  }

  /** Stores a part (replacing an earlier one of the same number); returns its quoted MD5 ETag. */
  putPart(bucket: string, key: string, uploadId: string, partNumber: string | null, data: Buffer): string {
    const number = Number(partNumber);
    if (!Number.isInteger(number) || number < 1 || number > MAX_PART_NUMBER) {
      throw new AwsServiceError('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 400);
    }
    this.record(bucket, key, uploadId);
    const etag = `"${createHash('md5').update(data).digest('hex')}"`;
    const file = join(this.dir(bucket, uploadId), `part-${number}`);
    writeFileSync(`${file}.data`, data);
    writeFileSync(`${file}.json`, JSON.stringify({ etag, size: data.length }));
    return etag;
  }

  /**
   * Joins the parts the CompleteMultipartUpload document lists into `targetFile` (ascending part numbers, each
   * matching its ETag, every part but the last at least MIN_PART_BYTES) and forgets the upload. Returns the
   * object's metadata (ETag `"<md5 of the parts' md5s>-<count>"`) for the store to commit.
   */
  complete(bucket: string, key: string, uploadId: string, document: Buffer, targetFile: string, now: number): ObjectMeta {
    const record = this.record(bucket, key, uploadId);
    const listed = parseCompleteDocument(document);
    if (listed.length === 0) throw new AwsServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    if (listed.some((part, index) => index > 0 && part.number <= listed[index - 1]!.number)) {
      throw new AwsServiceError('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.', 400);
    }
    const dir = this.dir(bucket, uploadId);
    const digests: Buffer[] = [];
    let size = 0;
    writeFileSync(targetFile, Buffer.alloc(0));
    try {
      listed.forEach((part, index) => {
        const metaFile = join(dir, `part-${part.number}.json`);
        if (!existsSync(metaFile)) throw new AwsServiceError('InvalidPart', 'One or more of the specified parts could not be found.', 400);
        const stored = JSON.parse(readFileSync(metaFile, 'utf8')) as { etag: string; size: number };
        if (part.etag.replace(/"/g, '') !== stored.etag.replace(/"/g, '')) {
          throw new AwsServiceError('InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag did not match.', 400);
        }
        if (index < listed.length - 1 && stored.size < MIN_PART_BYTES) {
          throw new AwsServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400);
        }
        appendFileSync(targetFile, readFileSync(join(dir, `part-${part.number}.data`)));
        digests.push(Buffer.from(stored.etag.replace(/"/g, ''), 'hex'));
        size += stored.size;
      });
    } catch (error) {
      rmSync(targetFile, { force: true });
      throw error;
    }
    rmSync(dir, { recursive: true, force: true });
    const etag = `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${listed.length}"`;
    return { ...record.object, size, etag, lastModified: now, checksums: {} };
  }

  /** Drops an upload and its parts. */
  abort(bucket: string, key: string, uploadId: string): void {
    this.record(bucket, key, uploadId);
    rmSync(this.dir(bucket, uploadId), { recursive: true, force: true });
  }

  /** The CompleteMultipartUploadResult document. */
  static completedXml(bucket: string, key: string, etag: string): string {
    return `${DECLARATION}<CompleteMultipartUploadResult xmlns="${S3_XML_NAMESPACE}">${el('Location', `/${bucket}/${key}`)}${el('Bucket', bucket)}${el('Key', key)}${el('ETag', etag)}</CompleteMultipartUploadResult>`;
  }

  private record(bucket: string, key: string, uploadId: string): UploadRecord {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload();
    const file = join(this.dir(bucket, uploadId), 'upload.json');
    if (!existsSync(file)) throw noSuchUpload();
    const record = JSON.parse(readFileSync(file, 'utf8')) as UploadRecord;
    if (record.bucket !== bucket || record.key !== key) throw noSuchUpload();
    return record;
  }

  private dir(bucket: string, uploadId: string): string {
    return join(this.root, bucket, 'uploads', uploadId);
  }
}

/** The parts a CompleteMultipartUpload document lists, in its order. */
function parseCompleteDocument(document: Buffer): { number: number; etag: string }[] {
  const parsed = new XMLParser({ isArray: (name) => name === 'Part', parseTagValue: false }).parse(document.toString('utf8')) as {
    CompleteMultipartUpload?: { Part?: { PartNumber?: string; ETag?: string }[] };
  };
  return (parsed.CompleteMultipartUpload?.Part ?? []).map((part) => ({ number: Number(part.PartNumber), etag: String(part.ETag ?? '') }));
}
