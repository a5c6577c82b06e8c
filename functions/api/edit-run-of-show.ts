/** POST /sessions/{sessionId}/run-of-show: one edit of the running order (ADD, REMOVE, MOVE, UPDATE) made on a version; 200 with the new list, 409 CONFLICT when the list changed meanwhile. */
import { RunOfShowEditBody, SessionPathParams } from '#contract/index';
import { editRunOfShow } from '../commons/actions/run-of-show.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const edit = parseRequestPart(RunOfShowEditBody, event.body, 'body');
  return ok(await editRunOfShow({ sessionId, hostId, edit }));
};

export const handler = httpHandler(lambdaHandler);
