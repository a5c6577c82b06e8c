/** POST /sessions/{sessionId}/tokens: a participant token for the host or a caller (owner only). */
import { CreateParticipantTokenBody, SessionPathParams } from '#contract/index';
import { createParticipantToken } from '../commons/actions/create-participant-token.ts';
import { created } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const body = parseRequestPart(CreateParticipantTokenBody, event.body, 'body');
  return created(await createParticipantToken(sessionId, hostId, body));
};

export const handler = httpHandler(lambdaHandler);
