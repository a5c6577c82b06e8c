/** GET /tracks: the caller's Program Manager tracks, oldest first; 200 `{tracks: [...]}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { trackView } from '../commons/actions/tracks.ts';
import { ok } from '../commons/http-responses.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { listHostTracks } from '../commons/tracks-repository.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const tracks = await listHostTracks(hostId);
  return ok({ tracks: tracks.map(trackView) });
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
