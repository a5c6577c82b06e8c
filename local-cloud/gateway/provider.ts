/**
 * The shape every local AWS service provider implements. The gateway (one HTTP server on the AWS
 * endpoint port) parses each request once, finds the service from the SigV4 credential scope
 * (Authorization header or X-Amz-Credential query parameter), falling back to X-Amz-Target, and
 * hands the request to that service's provider.
 */
import type { Readable } from 'node:stream';

export interface AwsRequest {
  method: string;
  /** Path without the query string, URL-decoded segments left as sent. */
  path: string;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
  /** The signing service name from the credential scope (`sqs`, `states`, `ivs`, ...), if signed. */
  signingService?: string;
  /** Region from the credential scope, default us-east-1. */
  region: string;
  /** The access key id the request claims (its credential scope), if any: not verified. */
  accessKeyId?: string;
  /** Who signed the request, set by the gateway once the signature is verified (absent on a CORS preflight). */
  caller?: { accessKeyId: string; identity: string };
  /** Full URL as received (http://127.0.0.1:4566/...). */
  url: URL;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

export interface ServiceProvider {
  /** Signing names this provider answers (`sqs`; `ivs` for IVS real-time; `execute-api` never). */
  readonly signingNames: readonly string[];
  /** X-Amz-Target prefixes (before the dot) this provider answers, for unsigned JSON requests. */
  readonly targetPrefixes: readonly string[];
  handle(request: AwsRequest): Promise<AwsResponse>;
  /** Stops timers, child processes and servers it started. */
  close?(): Promise<void>;
}

/** Account id the local cloud reports in every ARN. */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** Ports of the local cloud. */
export const LOCAL_AWS_PORT = 4566;
export const LOCAL_API_PORT = 3000;
