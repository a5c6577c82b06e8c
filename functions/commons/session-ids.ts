/**
 * A new session's id. Without an Idempotency-Key it is random. With one it is derived from the request, so a
 * retry after the first attempt's process died (after writing the session's record, before or while starting
 * its execution) finds the same record and the same execution name instead of starting a second show: the
 * version-5 UUID (helpers/name-based-uuid.ts) of the JSON array `[callerId, idempotencyKey]` in
 * SESSION_ID_NAMESPACE. A key used again once its idempotency record has expired names the same session, and
 * is answered with that session as it is now (actions/create-session.ts): a host starts each show under a new key.
 */
import { randomUUID } from 'node:crypto';
import { nameBasedUuid } from '#helpers/name-based-uuid';

/** The namespace of keyed session ids (a fixed random UUID; changing it would change every keyed id). */
export const SESSION_ID_NAMESPACE = '6b1f0e7a-93d2-4c58-b0a4-1e7c5d2f8a36';

/** The id of the session a request starts: derived from (caller, key) when keyed, random otherwise. */
export function sessionIdFor(request: { hostId: string; idempotencyKey?: string | undefined }): string {
  if (request.idempotencyKey === undefined) return randomUUID();
  return nameBasedUuid(SESSION_ID_NAMESPACE, JSON.stringify([request.hostId, request.idempotencyKey]));
}
