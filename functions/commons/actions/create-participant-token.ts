/** Issuing a participant token for the session's stage (host only; for the host or a caller). */
import { randomUUID } from 'node:crypto';
import { ACTIVE_SESSION_STATUSES, type CreateParticipantTokenBody, type ParticipantTokenView } from '#contract/index';
import { createIvsParticipantToken } from '#helpers/create-ivs-participant-token';
import { participantTokenPolicy } from '#helpers/participant-token-policy';
import { whipUrlOfToken } from '#helpers/whip-url-of-token';
import { SessionNotActiveError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { getOwnedSession } from '../sessions-repository.ts';

/** Creates the token; the session must be STARTING or LIVE with a stage. The token is never logged. */
export async function createParticipantToken(sessionId: string, hostId: string, body: CreateParticipantTokenBody): Promise<ParticipantTokenView> {
  const session = await getOwnedSession(sessionId, hostId);
  if (!ACTIVE_SESSION_STATUSES.includes(session.status) || !session.stageArn) {
    throw new SessionNotActiveError('The session has no stage to join.');
  }
  const policy = participantTokenPolicy(body.role);
  const issued = await createIvsParticipantToken({
    stageArn: session.stageArn,
    userId: body.role === 'HOST' ? hostId : `caller-${randomUUID()}`,
    durationMinutes: policy.durationMinutes,
    capabilities: policy.capabilities,
    attributes: { displayName: body.displayName, role: body.role },
  });
  logger.info('Participant token issued', { participantId: issued.participantId, role: body.role, expirationTime: issued.expirationTime });
  const whipUrl = whipUrlOfToken(issued.token);
  return whipUrl ? { ...issued, whipUrl } : issued;
}
