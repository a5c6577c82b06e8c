/** POST /sessions/{sessionId}/commands: queues a media command (owner only); 202 `{commandId, status}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { EnqueueCommandBody, FUNCTION_NAMES, SessionPathParams } from '#contract/index';
import { enqueueCommand } from '../commons/actions/enqueue-command.ts';
import { accepted } from '../commons/http-responses.ts';
import { idempotentPerCaller } from '../commons/idempotency.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, logSessionId, tracer } from '../commons/powertools.ts';
import { callerIdOf, idempotencyKeyOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const enqueueCommandOnce = idempotentPerCaller(FUNCTION_NAMES.enqueueCommand, enqueueCommand);

const lambdaHandler = async (event: JsonApiEvent, context: Context) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const command = parseRequestPart(EnqueueCommandBody, event.body, 'body');
  const idempotencyKey = idempotencyKeyOf(event);
  const result = await enqueueCommandOnce.run({ callerId: hostId, idempotencyKey, request: { sessionId, hostId, command }, context });
  return accepted(result);
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody());
