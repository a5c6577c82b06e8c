/**
 * Responses of AWS's JSON protocols (awsJson1_0 / awsJson1_1) as the SDKs and CLIs parse them.
 */
import type { AwsResponse } from './provider.ts';

export type JsonProtocolVersion = '1.0' | '1.1';

/** A successful JSON protocol answer. */
export function jsonOk(body: unknown, version: JsonProtocolVersion = '1.0'): AwsResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}` },
    body: JSON.stringify(body ?? {}),
  };
}

/** An error as AWS JSON services send it: `__type` names the exception, `message` says why. */
export function jsonError(
  type: string,
  message: string,
  status = 400,
  version: JsonProtocolVersion = '1.0',
  extraHeaders: Record<string, string> = {},
): AwsResponse {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-errortype': type, ...extraHeaders },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** An error thrown inside a provider; the provider turns it into its protocol's error shape. */
export class AwsServiceError extends Error {
  constructor(
    /** The exception name clients match (`ResourceNotFoundException`, `ExecutionDoesNotExist`, ...). */
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Sender or Receiver fault (query protocol). */
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'AwsServiceError';
  }
}
