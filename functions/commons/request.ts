/**
 * What the handlers read from an HTTP API (payload 2.0) request besides its body. Header names are in lower
 * case: `httpHandler()` runs Middy's header normalizer first.
 */
import type { JsonApiEvent } from './middleware/http-json-body.ts';
import { UnauthorizedError, ValidationFailedError } from './errors.ts';
import { IDEMPOTENCY_KEY_HEADER } from '#contract/index';

/** The caller's user id: the JWT's `sub` claim the authorizer verified. Throws 401 when absent. */
export function callerIdOf(event: JsonApiEvent): string {
  const sub = event.requestContext.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || sub.trim() === '') throw new UnauthorizedError();
  return sub;
}

/** Longest Idempotency-Key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** The Idempotency-Key header, if sent; a malformed one is a 400. */
export function idempotencyKeyOf(event: JsonApiEvent): string | undefined {
  const key = event.headers?.[IDEMPOTENCY_KEY_HEADER];
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ValidationFailedError('The Idempotency-Key header is not valid.', [
      { path: `headers.${IDEMPOTENCY_KEY_HEADER}`, message: `1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters` },
    ]);
  }
  return key;
}
