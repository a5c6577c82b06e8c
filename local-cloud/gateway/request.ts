/**
 * Parsing an incoming HTTP request into the AwsRequest every provider gets, and finding which service it
 * is for: the SigV4 credential scope first (Authorization header, or X-Amz-Credential of a presigned URL),
 * then the X-Amz-Target prefix.
 */
import type { IncomingMessage } from 'node:http';
import { LOCAL_REGION, type AwsRequest, type ServiceProvider } from './provider.ts';

/** What a SigV4 credential scope names: `AKID/20260101/us-east-1/sqs/aws4_request`. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const AUTH_CREDENTIAL = /Credential=([^,\s]+)/;

/** Splits a credential string (`AKID/date/region/service/aws4_request`) into its parts. */
export function parseCredential(credential: string): CredentialScope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** The credential scope of a signed request, from its Authorization header or presigned query. */
export function credentialScopeOf(headers: Record<string, string>, query: URLSearchParams): CredentialScope | undefined {
  const authorization = headers['authorization'];
  if (authorization?.startsWith('AWS4-HMAC-SHA256')) {
    const match = AUTH_CREDENTIAL.exec(authorization);
    if (match?.[1]) return parseCredential(match[1]);
  }
  const presigned = query.get('X-Amz-Credential');
  return presigned ? parseCredential(presigned) : undefined;
}

/** Builds the AwsRequest from the raw request and its body. */
export function toAwsRequest(req: IncomingMessage, body: Buffer): AwsRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const host = headers['host'] ?? '127.0.0.1';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const scope = credentialScopeOf(headers, url.searchParams);
  const request: AwsRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    region: scope?.region ?? LOCAL_REGION,
    url,
  };
  if (scope) {
    request.signingService = scope.service;
    request.accessKeyId = scope.accessKeyId;
  }
  return request;
}

/** The X-Amz-Target prefix (before the dot): `AmazonSQS`, `DynamoDB_20120810`, `Logs_20140328`. */
export function targetPrefixOf(request: AwsRequest): string | undefined {
  const target = request.headers['x-amz-target'];
  if (!target) return undefined;
  const dot = target.lastIndexOf('.');
  return dot > 0 ? target.slice(0, dot) : target;
}

/** Whether an unsigned request speaks the query protocol (a form-encoded `Action=`), which only SQS does here. */
function isQueryProtocol(request: AwsRequest): boolean {
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  return request.query.has('Action') || new URLSearchParams(request.body.toString('utf8')).has('Action');
}

/**
 * The provider a request is for: by signing name, else by X-Amz-Target prefix, else SQS for a query-protocol
 * form, else (an unsigned request without a target, such as a browser's CORS preflight or a plain path-style
 * GET) the S3 provider. Unsigned requests are routed only to be refused in the right service's shape.
 */
export function findProvider(providers: readonly ServiceProvider[], request: AwsRequest): ServiceProvider | undefined {
  if (request.signingService) {
    return providers.find((p) => p.signingNames.includes(request.signingService ?? ''));
  }
  const prefix = targetPrefixOf(request);
  if (prefix) return providers.find((p) => p.targetPrefixes.includes(prefix));
  if (isQueryProtocol(request)) return providers.find((p) => p.signingNames.includes('sqs'));
  return providers.find((p) => p.signingNames.includes('s3'));
}
