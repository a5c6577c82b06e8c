/** GET /sessions/{sessionId}/recording: 302 to the episode (owner only); 409 RECORDING_NOT_READY with Retry-After before. */
import { SessionPathParams } from '#contract/index';
import { getRecordingUrl } from '../commons/actions/get-recording.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { found } from '../commons/redirect-response.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId } = parseRequestPart(SessionPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  return found(await getRecordingUrl({ sessionId, hostId }));
};

export const handler = httpHandler(lambdaHandler);
