import '#test/unit/functions/support/env';
import { describe, expect, it, vi } from 'vitest';
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpErrorHandler } from '#commons/middleware/http-error-handler';
import { NotFoundError, ValidationFailedError, HttpError } from '#commons/errors';
import { lambdaContext } from '#test/fixtures/events/lambda-context';

const failingWith = (error: unknown) => {
  const logger = { warn: vi.fn(), error: vi.fn() };
  const handler = middy(async (): Promise<APIGatewayProxyStructuredResultV2> => {
    throw error;
  }).use(httpErrorHandler({ logger }));
  return { run: () => handler({}, lambdaContext), logger };
};

describe('Middleware: httpErrorHandler', () => {
  it('answers our errors with their status, code and message', async () => {
    const response = await failingWith(new NotFoundError('session')).run();

    expect(response).toMatchObject({ statusCode: 404, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(JSON.parse(response.body ?? '{}')).toEqual({ code: 'NOT_FOUND', message: 'The session was not found.' });
  });

  it('adds the field issues of a validation failure', async () => {
    const response = await failingWith(new ValidationFailedError('bad', [{ path: 'body.title', message: 'Required' }])).run();

    expect(JSON.parse(response.body ?? '{}')).toEqual({ code: 'VALIDATION_FAILED', message: 'bad', issues: [{ path: 'body.title', message: 'Required' }] });
  });

  it('turns anything else into a generic 500 that leaks nothing, and logs it', async () => {
    const { run, logger } = failingWith(new Error('connect ECONNREFUSED 10.0.3.7:5432 password=hunter2'));

    const response = await run();

    expect(response.statusCode).toBe(500);
    expect(response.body).toBe(JSON.stringify({ code: 'INTERNAL_ERROR', message: 'An internal error occurred.' }));
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('hides the message of one of our errors that is not meant for the caller', async () => {
    const response = await failingWith(new HttpError(503, 'INTERNAL_ERROR', 'table shelcaster-sessions throttled', { expose: false })).run();

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('shelcaster-sessions');
  });

  it('takes the fallback message from its options', async () => {
    const handler = middy(async (): Promise<APIGatewayProxyStructuredResultV2> => {
      throw new Error('x');
    }).use(httpErrorHandler({ fallbackMessage: 'Try again later.', logger: { warn: vi.fn(), error: vi.fn() } }));

    expect(JSON.parse((await handler({}, lambdaContext)).body ?? '{}')).toEqual({ code: 'INTERNAL_ERROR', message: 'Try again later.' });
  });
});
