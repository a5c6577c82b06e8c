/** GET /sessions/{sessionId}/commands/{commandId}: a command's status (owner only). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { CommandPathParams } from '#contract/index';
import { getCommandRecord } from '../commons/commands-repository.ts';
import { NotFoundError } from '../commons/errors.ts';
import { ok } from '../commons/http-responses.ts';
import { callerRateLimit } from '../commons/middleware/caller-rate-limit.ts';
import { httpErrorHandler } from '../commons/middleware/http-error-handler.ts';
import { httpJsonBody, type JsonApiEvent } from '../commons/middleware/http-json-body.ts';
import { logger, logSessionId, tracer } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { commandView } from '../commons/session-view.ts';
import { getOwnedSession } from '../commons/sessions-repository.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId, commandId } = parseRequestPart(CommandPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  await getOwnedSession(sessionId, hostId);
  const command = await getCommandRecord(sessionId, commandId);
  if (!command) throw new NotFoundError('command');
  return ok(commandView(command));
};

export const handler = middy(lambdaHandler)
  .use(httpErrorHandler())
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpJsonBody())
  .use(callerRateLimit());
