/**
 * Middy middleware for the limit per caller of an API route (the contract's API_ROUTES `perCaller`, found by
 * the event's route key; routes without one pass untouched). An answer below 400 is counted in the caller's
 * bucket for the route (one conditional write, as every rate limit here). When counting finds the bucket
 * spent, this execution environment refuses the caller's next requests on the route with 429 RATE_LIMITED
 * (and Retry-After) until the bucket has a token again, before the handler runs and without reading anything.
 * So a refused, invalid or failed request writes and reads nothing and costs the caller nothing, and a request
 * without a verified caller (the JWT authorizer refuses it before any function runs) counts against nobody.
 * Each environment learns of a spent bucket from its own next counted request: with N environments serving
 * one caller, up to N requests more than the limit get through per refusal. Written here because no Middy or
 * Powertools middleware keeps a rate limit in DynamoDB.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { perCallerLimitOf, type RequestRate } from '#contract/index';
import { RateLimitedError } from '../errors.ts';
import { countCallerRouteRequest } from '../rate-limits.ts';
import type { JsonApiEvent } from './http-json-body.ts';

/** Callers found over their limit by this environment: `callerId route` → epoch ms until which they are refused. */
const refusedUntil = new Map<string, number>();

/** The caller and the limit of the request's route, when the route has one and the caller is known. */
function limitOf(event: JsonApiEvent): { callerId: string; routeKey: string; limit: RequestRate; id: string } | undefined {
  const routeKey = event.routeKey;
  const limit = perCallerLimitOf(routeKey);
  const callerId = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (!limit || typeof callerId !== 'string' || callerId === '') return undefined;
  return { callerId, routeKey, limit, id: `${callerId} ${routeKey}` };
}

/** Creates the middleware; `now` is for tests. */
export function callerRateLimit(now: () => number = () => Date.now()): MiddlewareObj<JsonApiEvent, APIGatewayProxyStructuredResultV2> {
  const callerRateLimitBefore = (request: Request<JsonApiEvent, APIGatewayProxyStructuredResultV2>) => {
    const found = limitOf(request.event);
    if (!found) return;
    const until = refusedUntil.get(found.id);
    if (until === undefined) return;
    if (until <= now()) {
      refusedUntil.delete(found.id);
      return;
    }
    throw new RateLimitedError(`At most ${found.limit.ratePerSecond} requests per second per caller on ${found.routeKey}.`, (until - now()) / 1000);
  };

  const callerRateLimitAfter = async (request: Request<JsonApiEvent, APIGatewayProxyStructuredResultV2>) => {
    const found = limitOf(request.event);
    if (!found || (request.response?.statusCode ?? 200) >= 400) return;
    const retryAfterSeconds = await countCallerRouteRequest(found.callerId, found.routeKey, found.limit);
    if (retryAfterSeconds !== undefined) refusedUntil.set(found.id, now() + retryAfterSeconds * 1000);
  };

  return { before: callerRateLimitBefore, after: callerRateLimitAfter };
}
