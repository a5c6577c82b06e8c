/**
 * GET /sessions/{sessionId}/chapters: the episode's chapters (Podcasting 2.0 JSON chapters, served as
 * `application/json+chapters`), one at each run-of-show item played, at its start in the episode.
 */
import { CHAPTERS_CONTENT_TYPE, SessionPathParams } from '#contract/index';
import { getAsRun } from '../commons/actions/as-run.ts';
import { chaptersOf } from '../commons/as-run-report.ts';
import { jsonResponse } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const { session, entries } = await getAsRun(sessionId, hostId);
  return jsonResponse(200, chaptersOf(entries, session.title), { 'content-type': `${CHAPTERS_CONTENT_TYPE}; charset=utf-8` });
};

export const handler = httpHandler(lambdaHandler);
