/** POST /media: a presigned PUT for one track; 201 `{uploadUrl, uploadHeaders, programUrl, key, expiresAt}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { CreateMediaBody } from '#contract/index';
import { createMediaUpload } from '../commons/actions/create-media-upload.ts';
import { created } from '../commons/http-responses.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const userId = callerIdOf(event);
  const media = parseRequestPart(CreateMediaBody, event.body, 'body');
  return created(await createMediaUpload({ userId, media }));
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
