/** GET /sessions/{sessionId}/commands/{commandId}: a command's status (owner only). */
import { CommandPathParams } from '#contract/index';
import { getCommandRecord } from '../commons/commands-repository.ts';
import { NotFoundError } from '../commons/errors.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { logSessionId } from '../commons/powertools.ts';
import { callerIdOf } from '../commons/request.ts';
import { commandView } from '../commons/session-view.ts';
import { getOwnedSession } from '../commons/sessions-repository.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { sessionId, commandId } = parseRequestPart(CommandPathParams, event.pathParameters, 'path');
  logSessionId(sessionId);
  await getOwnedSession(sessionId, hostId);
  const command = await getCommandRecord(sessionId, commandId);
  if (!command) throw new NotFoundError('command');
  return ok(commandView(command));
};

export const handler = httpHandler(lambdaHandler);
