/** Which bucket and key an S3 request is for: one reading, used by the S3 provider and by IAM's S3 actions. */
import type { AwsRequest } from '#local-cloud/gateway/provider';

export interface S3Target {
  bucket?: string;
  key?: string;
}

/** Bucket and key from the path (path-style) or a `<bucket>.localhost` virtual host. */
export function s3TargetOf(request: AwsRequest): S3Target {
  const host = (request.headers['host'] ?? '').split(':')[0] ?? '';
  const path = request.url.pathname;
  const virtual = /^(.+)\.localhost$/.exec(host);
  if (virtual?.[1]) {
    const key = decodeURIComponent(path.slice(1));
    return key ? { bucket: virtual[1], key } : { bucket: virtual[1] };
  }
  if (path === '/' || path === '') return {};
  const slash = path.indexOf('/', 1);
  if (slash < 0) return { bucket: decodeURIComponent(path.slice(1)) };
  const bucket = decodeURIComponent(path.slice(1, slash));
  const key = decodeURIComponent(path.slice(slash + 1));
  return key ? { bucket, key } : { bucket };
}
