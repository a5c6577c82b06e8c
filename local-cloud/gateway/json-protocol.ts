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

/** A JSON protocol request's input: the body as an object (`{}` when empty). */
export type JsonInput = Record<string, unknown>;

/**
 * Parses a JSON protocol request body and runs one synchronous operation on it, answering as AWS does:
 * SerializationException for a body that is not a JSON object, the operation's AwsServiceError as its own
 * shape, anything else as `failure` (a 500 that says nothing of internals).
 */
export function answerJsonOperation(
  body: Buffer,
  run: (input: JsonInput) => unknown,
  version: JsonProtocolVersion,
  failure: { code: string; message: string },
): AwsResponse {
  let input: JsonInput;
  try {
    const parsed = JSON.parse(body.length > 0 ? body.toString('utf8') : '{}') as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as JsonInput;
  } catch {
    return jsonError('SerializationException', 'Request body is not a JSON object.', 400, version);
  }
  try {
    return jsonOk(run(input), version);
  } catch (error) {
    if (error instanceof AwsServiceError) return jsonError(error.code, error.message, error.status, version);
    return jsonError(failure.code, failure.message, 500, version);
  }
}
