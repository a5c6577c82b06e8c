/** POST /sessions/{sessionId}/commands: queues a media command (owner only); 202 `{commandId, status}`. */
import type { Context } from 'aws-lambda';
import { EnqueueCommandBody, FUNCTION_NAMES, SessionPathParams } from '#contract/index';
import { enqueueCommand } from '../commons/actions/enqueue-command.ts';
import { accepted } from '../commons/http-responses.ts';
import { idempotentPerCaller } from '../commons/idempotency.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf, idempotencyKeyOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const enqueueCommandOnce = idempotentPerCaller(FUNCTION_NAMES.enqueueCommand, enqueueCommand);

const lambdaHandler = async (event: JsonApiEvent, context: Context) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const command = parseRequestPart(EnqueueCommandBody, event.body, 'body');
  const idempotencyKey = idempotencyKeyOf(event);
  const result = await enqueueCommandOnce.run({ callerId: hostId, idempotencyKey, request: { sessionId, hostId, command, idempotencyKey }, context });
  return accepted(result);
};

export const handler = httpHandler(lambdaHandler);
