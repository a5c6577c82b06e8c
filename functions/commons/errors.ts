/**
 * Errors of the functions. HTTP errors carry `statusCode`, a contract `code` and `expose` (whether the message
 * may be shown to the caller); step errors are named exactly as the state machine matches them.
 */
import { STEP_ERRORS, type ApiErrorBody, type ApiErrorCode } from '#contract/index';

/** Base of every error the API answers with its own status and code. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ApiErrorCode;
  readonly expose: boolean;
  readonly issues?: ApiErrorBody['issues'];
  readonly headers?: Record<string, string>;

  constructor(
    statusCode: number,
    code: ApiErrorCode,
    message: string,
    options: { cause?: unknown; issues?: ApiErrorBody['issues']; expose?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.expose = options.expose ?? statusCode < 500;
    if (options.issues) this.issues = options.issues;
    if (options.headers) this.headers = options.headers;
  }
}

/** 400: the request does not match the contract's schema. */
export class ValidationFailedError extends HttpError {
  constructor(message: string, issues: NonNullable<ApiErrorBody['issues']>, options: { cause?: unknown } = {}) {
    super(400, 'VALIDATION_FAILED', message, { ...options, issues });
    this.name = 'ValidationFailedError';
  }
}

/** 400: the body is not JSON. */
export class InvalidJsonError extends HttpError {
  constructor(options: { cause?: unknown } = {}) {
    super(400, 'INVALID_JSON', 'The request body is not valid JSON.', options);
    this.name = 'InvalidJsonError';
  }
}

/** 413: the body is larger than the API accepts. */
export class PayloadTooLargeError extends HttpError {
  constructor(maxBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

/** 415: a body that is not declared as JSON. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.');
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** 401: no authenticated caller on the request. */
export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'UNAUTHORIZED', 'The request is not authenticated.');
    this.name = 'UnauthorizedError';
  }
}

/** 404: not found, or not the caller's (existence is never confirmed to others). */
export class NotFoundError extends HttpError {
  constructor(what: 'session' | 'command') {
    super(404, 'NOT_FOUND', `The ${what} was not found.`);
    this.name = 'NotFoundError';
  }
}

/** 409: a conflicting request (an idempotency key reused with another body, or still in progress). */
export class ConflictError extends HttpError {
  constructor(message: string, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(409, 'CONFLICT', message, options);
    this.name = 'ConflictError';
  }
}

/** 409: the session is not in a status that allows the request. */
export class SessionNotActiveError extends HttpError {
  constructor(message = 'The session is not active.') {
    super(409, 'SESSION_NOT_ACTIVE', message);
    this.name = 'SessionNotActiveError';
  }
}

/** 429: a rate limit refused the request; `Retry-After` says in how many seconds to try again. */
export class RateLimitedError extends HttpError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, 'RATE_LIMITED', message, { headers: { 'retry-after': String(seconds) } });
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = seconds;
  }
}

/** A step found that the host ended the session (the state machine catches it into Teardown). */
export class SessionEndedError extends Error {
  constructor(sessionId: string) {
    super(`Session ${sessionId} was ended by the host.`);
    this.name = STEP_ERRORS.SessionEnded;
  }
}

/** A transient AWS failure (throttling, 5xx, network) the state machine retries. */
export class TransientAwsError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = STEP_ERRORS.Transient;
  }
}

/** A step could not do its work for a reason retrying will not fix. */
export class StepFailedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StepFailedError';
  }
}

/** The session record a step needs does not exist. */
export class SessionRecordMissingError extends StepFailedError {
  constructor(sessionId: string) {
    super(`No session record for ${sessionId}.`);
    this.name = 'SessionRecordMissingError';
  }
}
