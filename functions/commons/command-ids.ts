/**
 * A command's id. Without an Idempotency-Key it is random. With one it is derived from the request, so a retry
 * after the first attempt's process died (between recording the command and sending it) finds the same record
 * instead of making a second command: the version-5 UUID (helpers/name-based-uuid.ts) of the JSON array
 * `[callerId, sessionId, idempotencyKey]` in COMMAND_ID_NAMESPACE. The session is part of the name so that a
 * key a caller uses again on another show (once the idempotency record has expired) names another command.
 */
import { randomUUID } from 'node:crypto';
import { nameBasedUuid } from '#helpers/name-based-uuid';

/** The namespace of keyed command ids (a fixed random UUID; changing it would change every keyed id). */
export const COMMAND_ID_NAMESPACE = 'c2dffe26-3916-42cc-944f-f01bbe5c2ebd';

/** The id of the command of a request: derived from (caller, session, key) when keyed, random otherwise. */
export function commandIdFor(request: { hostId: string; sessionId: string; idempotencyKey?: string | undefined }): string {
  if (request.idempotencyKey === undefined) return randomUUID();
  return nameBasedUuid(COMMAND_ID_NAMESPACE, JSON.stringify([request.hostId, request.sessionId, request.idempotencyKey]));
}
