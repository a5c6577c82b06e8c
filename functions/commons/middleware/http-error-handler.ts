/**
 * Middy middleware that turns errors into HTTP API responses. Our HttpErrors answer with their status, code
 * and (when `expose`) message; anything else is logged and becomes a generic 500, so internals never leak.
 * Ours rather than `@middy/http-error-handler`: Middy's answers the error's message as the whole body, where
 * the contract's body is `{code, message, issues?}` JSON, and it logs the raw error, where ours logs it with
 * secrets redacted.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiErrorBody } from '#contract/index';
import { HttpError } from '../errors.ts';
import { jsonResponse } from '../http-responses.ts';
import { logger as defaultLogger } from '../powertools.ts';
import { redactSecrets } from '../helpers/redact-secrets.ts';

export interface HttpErrorHandlerOptions {
  /** Where errors are logged (a Powertools Logger or anything with `warn` and `error`). */
  logger?: Pick<typeof defaultLogger, 'warn' | 'error'>;
  /** Message of the generic 500. */
  fallbackMessage?: string;
}

const defaults: Required<HttpErrorHandlerOptions> = {
  logger: defaultLogger,
  fallbackMessage: 'An internal error occurred.',
};

/** Creates the middleware; options are merged over the defaults. */
export function httpErrorHandler(opts: HttpErrorHandlerOptions = {}): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  const options = { ...defaults, ...opts };

  const httpErrorHandlerOnError = (request: Request<unknown, APIGatewayProxyStructuredResultV2>) => {
    const error = request.error;
    if (request.response !== undefined) return;
    if (error instanceof HttpError && error.expose) {
      options.logger.warn('Request refused', { statusCode: error.statusCode, code: error.code, message: error.message });
      const body: ApiErrorBody = { code: error.code, message: error.message };
      if (error.issues) body.issues = error.issues;
      request.response = jsonResponse(error.statusCode, body, error.headers);
      return;
    }
    options.logger.error('Request failed', { error: describeError(error) });
    const body: ApiErrorBody = { code: 'INTERNAL_ERROR', message: options.fallbackMessage };
    request.response = jsonResponse(500, body);
  };

  return { onError: httpErrorHandlerOnError };
}

/** What is logged of an unexpected error: name, redacted message and stack, the cause's name. */
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: redactSecrets(error.cause.message) } : undefined;
  return { name: error.name, message: redactSecrets(error.message), stack: redactSecrets(error.stack ?? ''), cause };
}
