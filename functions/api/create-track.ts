/** POST /tracks: registers an uploaded file as one of the caller's tracks; 201 with the track. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { CreateTrackBody, ENV } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { createTrack, trackView } from '../commons/actions/tracks.ts';
import { created } from '../commons/http-responses.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const body = parseRequestPart(CreateTrackBody, event.body, 'body');
  return created(trackView(await createTrack(hostId, body, mediaBucket)));
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
