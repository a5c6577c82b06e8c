/**
 * The one Middy chain of the JSON API handlers: errors become the contract's `{code, message, issues?}`
 * responses, the handler is traced and logs with the Lambda context (keys reset per invocation), header names
 * are lower-cased (Middy's `http-header-normalizer`), the JSON body is parsed and size-checked, and the
 * route's limit per caller, where the contract gives one, is kept (caller-rate-limit.ts).
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { callerRateLimit } from './middleware/caller-rate-limit.ts';
import { httpErrorHandler } from './middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from './middleware/http-json-body.ts';
import { logger, tracer } from './powertools.ts';

export type { JsonApiEvent } from './middleware/http-json-body.ts';

/** A JSON API handler's logic: the parsed event in, an HTTP API (payload 2.0) response out. */
export type JsonApiHandler = (event: JsonApiEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Wraps a JSON API handler in the chain every API route shares. */
export function httpHandler(lambdaHandler: JsonApiHandler) {
  return middy(lambdaHandler)
    .use(httpErrorHandler())
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpJsonBody())
    .use(callerRateLimit());
}
