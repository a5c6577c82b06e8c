/** GET /sessions/{sessionId}: the caller's session, public view; 404 when missing or someone else's. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SessionPathParams } from '#contract/index';
import { ok } from '../commons/http-responses.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, logSessionId, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { sessionView } from '../commons/session-view.ts';
import { getOwnedSession } from '../commons/sessions-repository.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return ok(sessionView(await getOwnedSession(sessionId, hostId)));
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
