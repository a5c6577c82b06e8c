/**
 * S3 (REST-XML): method, sub-resource and target → IAM action; objects on `arn:aws:s3:::bucket/key`,
 * buckets on `arn:aws:s3:::bucket`. Multipart parts are `s3:PutObject`, HEAD is the GET action, and a CORS
 * preflight (OPTIONS) asks nothing, as on S3.
 */
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { s3TargetOf } from '#local-cloud/services/s3/target';
import type { RequestedAction, ServiceActions } from './types.ts';

/** Bucket sub-resources → [GET action, PUT action, DELETE action]. */
const BUCKET_SUBRESOURCES: Record<string, [string, string, string]> = {
  cors: ['s3:GetBucketCORS', 's3:PutBucketCORS', 's3:PutBucketCORS'],
  lifecycle: ['s3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration', 's3:PutLifecycleConfiguration'],
  tagging: ['s3:GetBucketTagging', 's3:PutBucketTagging', 's3:PutBucketTagging'],
  policy: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  location: ['s3:GetBucketLocation', 's3:GetBucketLocation', 's3:GetBucketLocation'],
  encryption: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration', 's3:PutEncryptionConfiguration'],
  uploads: ['s3:ListBucketMultipartUploads', 's3:ListBucketMultipartUploads', 's3:ListBucketMultipartUploads'],
};

function objectAction(request: AwsRequest): string {
  const q = request.query;
  const m = request.method;
  if (q.has('tagging')) return m === 'GET' ? 's3:GetObjectTagging' : m === 'DELETE' ? 's3:DeleteObjectTagging' : 's3:PutObjectTagging';
  if (q.has('uploadId') && m === 'DELETE') return 's3:AbortMultipartUpload';
  if (q.has('uploadId') && m === 'GET') return 's3:ListMultipartUploadParts';
  if (m === 'GET' || m === 'HEAD') return 's3:GetObject';
  if (m === 'DELETE') return 's3:DeleteObject';
  return 's3:PutObject';
}

export const s3Actions: ServiceActions = {
  service: 's3',
  actionsOf(request) {
    if (request.method === 'OPTIONS') return { operation: 'Preflight', requested: [] };
    const { bucket, key } = s3TargetOf(request);
    const m = request.method;
    if (!bucket) return { operation: 'ListBuckets', requested: [{ action: 's3:ListAllMyBuckets', resource: '*' }] };
    const bucketArn = `arn:aws:s3:::${bucket}`;
    if (key) {
      const action = objectAction(request);
      const requested: RequestedAction[] = [{ action, resource: `${bucketArn}/${key}` }];
      // A copy also reads its source.
      const source = request.headers['x-amz-copy-source'];
      if (source && m === 'PUT') requested.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${decodeURIComponent(source.replace(/^\//, '').split('?')[0]!)}` });
      return { operation: action.slice(3), requested };
    }
    for (const [name, [get, put, del]] of Object.entries(BUCKET_SUBRESOURCES)) {
      if (!request.query.has(name)) continue;
      const action = m === 'GET' || m === 'HEAD' ? get : m === 'DELETE' ? del : put;
      return { operation: action.slice(3), requested: [{ action, resource: bucketArn }] };
    }
    if (m === 'POST' && request.query.has('delete')) return { operation: 'DeleteObjects', requested: [{ action: 's3:DeleteObject', resource: `${bucketArn}/*` }] };
    const action = m === 'PUT' ? 's3:CreateBucket' : m === 'DELETE' ? 's3:DeleteBucket' : 's3:ListBucket';
    return { operation: action.slice(3), requested: [{ action, resource: bucketArn }] };
  },
};
