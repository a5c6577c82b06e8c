/** DELETE /sessions/{sessionId}: the owner ends the show; 202 `{sessionId, status: 'ENDING'}`. */
import { SessionPathParams } from '#contract/index';
import { endSession } from '../commons/actions/end-session.ts';
import { accepted } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return accepted(await endSession(sessionId, hostId));
};

export const handler = httpHandler(lambdaHandler);
