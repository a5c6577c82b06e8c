/** GET /sessions/{sessionId}/recording: 302 to the episode (owner only); 409 RECORDING_NOT_READY with Retry-After before. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SessionPathParams } from '#contract/index';
import { getRecordingUrl } from '../commons/actions/get-recording.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, logSessionId, tracer } from '../commons/powertools.ts';
import { found } from '../commons/redirect-response.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return found(await getRecordingUrl({ sessionId, hostId }));
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
