/**
 * The ids a keyed request creates. Without an Idempotency-Key an id is random. With one it is derived from the
 * request, so a retry after the first attempt's process died half way finds what that attempt recorded
 * instead of making a second one: the version-5 UUID (helpers/name-based-uuid.ts) of a JSON array of the
 * request's parts, in a namespace per kind of id.
 *
 * - A command (actions/enqueue-command.ts): `[callerId, sessionId, idempotencyKey]`. The session is part of the
 *   name so that a key a caller uses again on another show (once the idempotency record has expired) names
 *   another command.
 * - A session (actions/create-session.ts): `[callerId, idempotencyKey]`; its execution is named after it. A key
 *   used again once its idempotency record has expired names the same session, and is answered with that
 *   session as it is now: a host starts each show under a new key.
 */
import { randomUUID } from 'node:crypto';
import { nameBasedUuid } from '#helpers/name-based-uuid';

/** The namespaces (fixed random UUIDs; changing one would change every keyed id of its kind). */
export const COMMAND_ID_NAMESPACE = 'c2dffe26-3916-42cc-944f-f01bbe5c2ebd';
export const SESSION_ID_NAMESPACE = '6b1f0e7a-93d2-4c58-b0a4-1e7c5d2f8a36';

/** Derived from `name` in `namespace` when keyed, random otherwise. */
function keyedId(namespace: string, idempotencyKey: string | undefined, name: readonly string[]): string {
  if (idempotencyKey === undefined) return randomUUID();
  return nameBasedUuid(namespace, JSON.stringify([...name, idempotencyKey]));
}

/** The id of the command of a request: derived from (caller, session, key) when keyed, random otherwise. */
export function commandIdFor(request: { hostId: string; sessionId: string; idempotencyKey?: string | undefined }): string {
  return keyedId(COMMAND_ID_NAMESPACE, request.idempotencyKey, [request.hostId, request.sessionId]);
}

/** The id of the session a request starts: derived from (caller, key) when keyed, random otherwise. */
export function sessionIdFor(request: { hostId: string; idempotencyKey?: string | undefined }): string {
  return keyedId(SESSION_ID_NAMESPACE, request.idempotencyKey, [request.hostId]);
}
