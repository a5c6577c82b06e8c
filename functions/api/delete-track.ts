/** DELETE /tracks/{trackId}: removes one of the caller's tracks and its upload; 204, or 404 when the caller has none such. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { ENV, TrackPathParams } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { deleteTrack } from '../commons/actions/tracks.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { trackId } = parseRequestPart(TrackPathParams, event.pathParameters, 'path');
  await deleteTrack(hostId, trackId, mediaBucket);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
