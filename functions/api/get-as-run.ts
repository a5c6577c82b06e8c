/**
 * GET /sessions/{sessionId}/as-run: what went out, in order; 200 `{"entries": [...]}`, or with `Accept: text/csv`
 * the tracks played as CSV (title, file, start, duration).
 */
import { SessionPathParams } from '#contract/index';
import { asRunCsvOf, getAsRun } from '../commons/actions/as-run.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

/** Whether the request asks for CSV (its Accept header names text/csv). */
const wantsCsv = (event: JsonApiEvent) => /\btext\/csv\b/i.test(event.headers?.accept ?? '');

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  const { session, entries } = await getAsRun(sessionId, hostId);
  if (!wantsCsv(event)) return ok({ entries });
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'cache-control': 'no-store', 'content-disposition': `attachment; filename="as-run-${sessionId}.csv"` },
    body: await asRunCsvOf(session, entries),
  };
};

export const handler = httpHandler(lambdaHandler);
