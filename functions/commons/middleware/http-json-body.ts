/**
 * Middy middleware for JSON request bodies of HTTP API (payload 2.0) events, around Middy's own
 * `@middy/http-json-body-parser`: refuses bodies over the size limit (413), then lets Middy's parser check the
 * content type and parse (it also refuses `__proto__` keys), and answers its refusals with the contract's
 * codes. A wrapper, because Middy's parser answers 422 for bad JSON where our contract answers 400
 * INVALID_JSON, refuses a request without a body (every GET and DELETE here has none) and has no size limit.
 * Runs after `@middy/http-header-normalizer` (header names in lower case). Schema validation is the handler's.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { MAX_REQUEST_BODY_BYTES } from '#contract/index';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationFailedError } from '../errors.ts';

/** An HTTP API event after this middleware: the body is parsed JSON (undefined when there was none). */
export type JsonApiEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'body'> & { body?: unknown };

export interface HttpJsonBodyOptions {
  /** Largest body accepted, in bytes. */
  maxBytes?: number;
}

const defaults: Required<HttpJsonBodyOptions> = { maxBytes: MAX_REQUEST_BODY_BYTES };

/** What Middy's parser throws: an HttpError of `@middy/util` with the refused key in `cause.data`. */
interface MiddyParserError {
  statusCode: number;
  message: string;
  cause?: { data?: unknown };
}

const isMiddyParserError = (error: unknown): error is MiddyParserError =>
  error instanceof Error && typeof (error as Partial<MiddyParserError>).statusCode === 'number';

/** Creates the middleware; options are merged over the defaults. */
export function httpJsonBody(opts: HttpJsonBodyOptions = {}): MiddlewareObj<JsonApiEvent> {
  const options = { ...defaults, ...opts };
  const parser = httpJsonBodyParser();

  const httpJsonBodyBefore = async (request: Request<JsonApiEvent>) => {
    const event = request.event;
    const raw = event.body;
    if (raw === undefined || raw === null || raw === '') {
      event.body = undefined;
      return;
    }
    if (typeof raw !== 'string') return; // already parsed (middleware used twice)
    const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
    if (bytes > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
    try {
      // Middy's parser is typed for the proxy events of @types/aws-lambda; ours is the same event with a
      // JSON body type, so the cast only widens the body.
      await parser.before?.(request as unknown as Parameters<NonNullable<typeof parser.before>>[0]);
    } catch (error) {
      throw contractErrorOf(error);
    }
  };

  return { before: httpJsonBodyBefore };
}

/** The contract's error for a refusal of Middy's parser (415 content type, 422 bad JSON or forbidden key). */
function contractErrorOf(error: unknown): unknown {
  if (!isMiddyParserError(error)) return error;
  if (error.statusCode === 415) return new UnsupportedMediaTypeError();
  if (error.statusCode === 422 && /forbidden key/i.test(error.message)) {
    const key = typeof error.cause?.data === 'string' ? error.cause.data : 'key';
    return new ValidationFailedError('The request body is not valid.', [{ path: `body.${key}`, message: 'Forbidden key' }], { cause: error });
  }
  return new InvalidJsonError({ cause: error });
}
