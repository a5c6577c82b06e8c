/** GET /sessions/{sessionId}: the caller's session, public view; 404 when missing or someone else's. */
import { SessionPathParams } from '#contract/index';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { sessionView } from '../commons/session-view.ts';
import { getOwnedSession } from '../commons/sessions-repository.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return ok(sessionView(await getOwnedSession(sessionId, hostId)));
};

export const handler = httpHandler(lambdaHandler);
