/**
 * S3's REST-XML documents: listings, copy results, delete results and errors.
 */
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import { LOCAL_ACCOUNT_ID } from '#local-cloud/gateway/provider';
import type { BucketMeta, ObjectMeta } from './store.ts';

export const S3_XML_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function el(name: string, value: string | number | boolean): string {
  return `<${name}>${typeof value === 'string' ? xmlEscape(value) : String(value)}</${name}>`;
}

/** An S3 error document. */
export function errorXml(code: string, message: string, requestId: string, extra: Record<string, string> = {}): string {
  const fields = Object.entries(extra)
    .map(([k, v]) => el(k, v))
    .join('');
  return `${DECLARATION}<Error>${el('Code', code)}${el('Message', message)}${fields}${el('RequestId', requestId)}</Error>`;
}

/** ListBuckets. */
export function listBucketsXml(buckets: BucketMeta[]): string {
  const items = buckets.map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', new Date(b.createdAt).toISOString())}</Bucket>`).join('');
  return (
    `${DECLARATION}<ListAllMyBucketsResult xmlns="${S3_XML_NAMESPACE}"><Owner>${el('ID', LOCAL_ACCOUNT_ID)}${el('DisplayName', 'local')}</Owner>` +
    `<Buckets>${items}</Buckets></ListAllMyBucketsResult>`
  );
}

export interface ListingPage {
  bucket: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  contents: ObjectMeta[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** Encode keys and prefixes in the answer (`encoding-type=url`). */
  urlEncode: boolean;
  v2?: { continuationToken?: string; nextContinuationToken?: string; startAfter?: string };
  v1?: { marker: string; nextMarker?: string };
}

/** ListObjectsV2 and ListObjects answers. */
export function listObjectsXml(page: ListingPage): string {
  const enc = (text: string): string => (page.urlEncode ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
  const parts: string[] = [el('Name', page.bucket), el('Prefix', enc(page.prefix))];
  if (page.v2) {
    if (page.v2.startAfter) parts.push(el('StartAfter', enc(page.v2.startAfter)));
    if (page.v2.continuationToken) parts.push(el('ContinuationToken', page.v2.continuationToken));
    parts.push(el('KeyCount', page.contents.length + page.commonPrefixes.length));
  }
  if (page.v1) parts.push(el('Marker', enc(page.v1.marker)));
  parts.push(el('MaxKeys', page.maxKeys));
  if (page.delimiter) parts.push(el('Delimiter', enc(page.delimiter)));
  parts.push(el('IsTruncated', page.isTruncated));
  if (page.v2?.nextContinuationToken) parts.push(el('NextContinuationToken', page.v2.nextContinuationToken));
  if (page.v1?.nextMarker) parts.push(el('NextMarker', enc(page.v1.nextMarker)));
  if (page.urlEncode) parts.push(el('EncodingType', 'url'));
  for (const o of page.contents) {
    parts.push(
      `<Contents>${el('Key', enc(o.key))}${el('LastModified', new Date(o.lastModified).toISOString())}${el('ETag', o.etag)}` +
        `${el('Size', o.size)}${el('StorageClass', 'STANDARD')}</Contents>`,
    );
  }
  for (const p of page.commonPrefixes) parts.push(`<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`);
  return `${DECLARATION}<ListBucketResult xmlns="${S3_XML_NAMESPACE}">${parts.join('')}</ListBucketResult>`;
}

/** CopyObject's result. */
export function copyObjectXml(meta: ObjectMeta): string {
  return `${DECLARATION}<CopyObjectResult xmlns="${S3_XML_NAMESPACE}">${el('LastModified', new Date(meta.lastModified).toISOString())}${el('ETag', meta.etag)}</CopyObjectResult>`;
}

/** DeleteObjects' result. */
export function deleteResultXml(deleted: string[], errors: { key: string; code: string; message: string }[], quiet: boolean): string {
  const items = quiet ? '' : deleted.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('');
  const failed = errors.map((e) => `<Error>${el('Key', e.key)}${el('Code', e.code)}${el('Message', e.message)}</Error>`).join('');
  return `${DECLARATION}<DeleteResult xmlns="${S3_XML_NAMESPACE}">${items}${failed}</DeleteResult>`;
}

/** GetBucketLocation (us-east-1 is the empty constraint). */
export function locationXml(region: string): string {
  return `${DECLARATION}<LocationConstraint xmlns="${S3_XML_NAMESPACE}">${region === 'us-east-1' ? '' : xmlEscape(region)}</LocationConstraint>`;
}
