/** GET /sessions/{sessionId}/run-of-show: the caller's session's running order and where the show is in it; 200. */
import { SessionPathParams } from '#contract/index';
import { getRunOfShow } from '../commons/actions/run-of-show.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return ok(await getRunOfShow(sessionId, hostId));
};

export const handler = httpHandler(lambdaHandler);
