import '#test/unit/functions/support/env';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_REQUEST_BODY_BYTES } from '#contract/index';
import { httpHandler, type JsonApiEvent } from '#commons/http-handler';
import { ok } from '#commons/http-responses';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';

/** A handler that answers what it was given: the parsed body and the idempotency header it read. */
const seen: JsonApiEvent[] = [];
const echo = httpHandler(async (event): Promise<APIGatewayProxyStructuredResultV2> => {
  seen.push(event);
  return ok({ body: event.body ?? null });
});

const post = async (body: string | undefined, headers: Record<string, string | undefined> = {}) => {
  const response = await echo(httpApiEvent({ method: 'POST', route: '/sessions', body, headers }), lambdaContext);
  return { statusCode: response.statusCode, body: JSON.parse(response.body ?? '{}') as Record<string, unknown> };
};

describe('Function: httpHandler with its JSON body middleware', () => {
  it('parses a JSON body for the handler', async () => {
    expect(await post('{"title":"x"}')).toEqual({ statusCode: 200, body: { body: { title: 'x' } } });
  });

  it('gives the handler no body when the request has none, whatever its content type', async () => {
    expect(await post(undefined)).toEqual({ statusCode: 200, body: { body: null } });
    expect(await post('', { 'content-type': 'text/plain' })).toEqual({ statusCode: 200, body: { body: null } });
  });

  it('lower-cases header names before the handler reads them', async () => {
    seen.length = 0;
    await post('{}', { 'Idempotency-Key': 'k-1' });

    expect(seen[0]?.headers['idempotency-key']).toBe('k-1');
  });

  it.each([
    ['bad JSON', '{"title":', {}, 400, 'INVALID_JSON', 'The request body is not valid JSON.'],
    ['a body that is not declared as JSON', '{}', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.'],
    ['a body without a content type', '{}', { 'content-type': undefined }, 415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body must be application/json.'],
    ['a body over the limit', JSON.stringify({ title: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }), {}, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes.`],
  ] as const)('refuses %s with %i %s', async (_what, body, headers, statusCode, code, message) => {
    seen.length = 0;
    const response = await post(body, headers);

    expect(response).toEqual({ statusCode, body: { code, message } });
    expect(seen).toEqual([]);
  });

  it('refuses a __proto__ key with 400 VALIDATION_FAILED naming it', async () => {
    const response = await post('{"__proto__":{"admin":true},"title":"x"}');

    expect(response).toEqual({
      statusCode: 400,
      body: { code: 'VALIDATION_FAILED', message: 'The request body is not valid.', issues: [{ path: 'body.__proto__', message: 'Forbidden key' }] },
    });
  });
});
