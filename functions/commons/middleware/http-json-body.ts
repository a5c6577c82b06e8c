/**
 * Middy middleware for JSON request bodies of HTTP API (payload 2.0) events: refuses bodies over the size
 * limit (413), bodies not declared as JSON (415) and bad JSON (400 INVALID_JSON), then replaces `event.body`
 * with the parsed value (undefined when there is no body). Schema validation is the handler's.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { MAX_REQUEST_BODY_BYTES } from '#contract/index';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';

/** An HTTP API event after this middleware: the body is parsed JSON. */
export type JsonApiEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'body'> & { body?: unknown; rawBody?: string };

export interface HttpJsonBodyOptions {
  /** Largest body accepted, in bytes. */
  maxBytes?: number;
}

const defaults: Required<HttpJsonBodyOptions> = { maxBytes: MAX_REQUEST_BODY_BYTES };

const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(;|$)/i;

/** Creates the middleware; options are merged over the defaults. */
export function httpJsonBody(opts: HttpJsonBodyOptions = {}): MiddlewareObj<JsonApiEvent> {
  const options = { ...defaults, ...opts };

  const httpJsonBodyBefore = (request: Request<JsonApiEvent>) => {
    const event = request.event;
    const raw = event.body;
    if (raw === undefined || raw === null || raw === '') {
      event.body = undefined;
      return;
    }
    if (typeof raw !== 'string') return; // already parsed (middleware used twice)
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.byteLength > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
    const contentType = headerOf(event.headers, 'content-type');
    if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) throw new UnsupportedMediaTypeError();
    const text = bytes.toString('utf8');
    try {
      event.body = JSON.parse(text) as unknown;
    } catch (error) {
      throw new InvalidJsonError({ cause: error });
    }
    event.rawBody = text;
  };

  return { before: httpJsonBodyBefore };
}

/** A header's value, whatever the case of its name. */
export function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
