/** POST /sessions (shelcaster-create-session): starts a session; 202 `{sessionId, executionArn, status}`. */
import type { Context } from 'aws-lambda';
import { CreateSessionBody, FUNCTION_NAMES } from '#contract/index';
import { createSession } from '../commons/actions/create-session.ts';
import { accepted } from '../commons/http-responses.ts';
import { idempotentPerCaller } from '../commons/idempotency.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { callerIdOf, idempotencyKeyOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const createSessionOnce = idempotentPerCaller(FUNCTION_NAMES.createSession, createSession);

const lambdaHandler = async (event: JsonApiEvent, context: Context) => {
  const hostId = callerIdOf(event);
  const body = parseRequestPart(CreateSessionBody, event.body, 'body');
  const idempotencyKey = idempotencyKeyOf(event);
  const created = await createSessionOnce.run({ callerId: hostId, idempotencyKey, request: { hostId, title: body.title, ...(body.ducking ? { ducking: body.ducking } : {}), ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }, context });
  return accepted(created);
};

export const handler = httpHandler(lambdaHandler);
