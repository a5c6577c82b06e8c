/**
 * The host's run-of-show: reading it, and one edit at a time with optimistic concurrency. An edit names the
 * version it was made on; it is written only if the list is still at that version (one conditional update),
 * so of two edits made on the same version one wins and the other gets 409 CONFLICT and changes nothing.
 * Edits are taken while the session is STARTING or LIVE (before and during the show).
 */
import { randomUUID } from 'node:crypto';
import { ACTIVE_SESSION_STATUSES, type RunOfShowEditBody, type RunOfShowView } from '#contract/index';
import { ConflictError, SessionNotActiveError, ValidationFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { writeRunOfShow } from '../run-of-show-repository.ts';
import { applyRunOfShowEdit, runOfShowView, type NewItemContext } from '../run-of-show-edits.ts';
import { getOwnedSession } from '../sessions-repository.ts';
import { getHostTrack } from '../tracks-repository.ts';

const isActive = (status: string) => (ACTIVE_SESSION_STATUSES as readonly string[]).includes(status);

/** The caller's session's run-of-show; 404 when the session is missing or someone else's. */
export async function getRunOfShow(sessionId: string, hostId: string): Promise<RunOfShowView> {
  return runOfShowView(await getOwnedSession(sessionId, hostId));
}

/** Applies one edit made on `edit.version`; answers the run-of-show after it. */
export async function editRunOfShow(request: { sessionId: string; hostId: string; edit: RunOfShowEditBody }): Promise<RunOfShowView> {
  const { sessionId, hostId, edit } = request;
  const session = await getOwnedSession(sessionId, hostId);
  if (!isActive(session.status)) throw new SessionNotActiveError('The session has ended: its run-of-show can no longer be edited.');
  const version = session.runOfShowVersion ?? 0;
  if (edit.version !== version) throw staleEdit(version);
  let newItem: NewItemContext | undefined;
  if (edit.op === 'ADD') {
    const track = await getHostTrack(hostId, edit.item.trackId);
    if (!track) throw new ValidationFailedError('The track was not found.', [{ path: 'body.item.trackId', message: 'no such track of yours' }]);
    newItem = { itemId: randomUUID(), track };
  }
  const items = applyRunOfShowEdit(session.runOfShow ?? [], edit, newItem);
  const written = await writeRunOfShow(sessionId, version, items);
  if (!written) {
    const now = await getOwnedSession(sessionId, hostId);
    if (!isActive(now.status)) throw new SessionNotActiveError('The session has ended: its run-of-show can no longer be edited.');
    throw staleEdit(now.runOfShowVersion ?? 0);
  }
  logger.info('Run-of-show edited', { op: edit.op, version: version + 1, items: items.length });
  return runOfShowView(written);
}

const staleEdit = (version: number) =>
  new ConflictError(`The run-of-show has changed since this edit was made (it is at version ${version}): read it again and redo the edit.`);
