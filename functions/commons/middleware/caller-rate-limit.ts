/**
 * Middy middleware for the limit per caller of an API route (the contract's API_ROUTES `perCaller`, found by
 * the event's route key; routes without one pass untouched). Before the handler, a caller whose bucket for
 * the route is spent gets 429 RATE_LIMITED with Retry-After (one read, nothing written). After it, an answer
 * below 400 is counted (one conditional write). So a refused or failed request writes nothing and costs the
 * caller nothing, and a request without a verified caller (the JWT authorizer refuses it before any function
 * runs) counts against nobody. Checking and counting are two steps: concurrent requests of one caller may go
 * over the limit by as many as are in flight at once. Written here because no Middy or Powertools middleware
 * keeps a rate limit in DynamoDB.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { perCallerLimitOf, type RequestRate } from '#contract/index';
import { assertCallerRouteRate, countCallerRouteRequest } from '../rate-limits.ts';
import type { JsonApiEvent } from './http-json-body.ts';

/** The caller and the limit of the request's route, when the route has one and the caller is known. */
function limitOf(event: JsonApiEvent): { callerId: string; routeKey: string; limit: RequestRate } | undefined {
  const routeKey = event.routeKey;
  const limit = perCallerLimitOf(routeKey);
  const callerId = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (!limit || typeof callerId !== 'string' || callerId === '') return undefined;
  return { callerId, routeKey, limit };
}

/** Creates the middleware. */
export function callerRateLimit(): MiddlewareObj<JsonApiEvent, APIGatewayProxyStructuredResultV2> {
  const callerRateLimitBefore = async (request: Request<JsonApiEvent, APIGatewayProxyStructuredResultV2>) => {
    const found = limitOf(request.event);
    if (found) await assertCallerRouteRate(found.callerId, found.routeKey, found.limit);
  };

  const callerRateLimitAfter = async (request: Request<JsonApiEvent, APIGatewayProxyStructuredResultV2>) => {
    const found = limitOf(request.event);
    if (found && (request.response?.statusCode ?? 200) < 400) await countCallerRouteRequest(found.callerId, found.routeKey, found.limit);
  };

  return { before: callerRateLimitBefore, after: callerRateLimitAfter };
}
