/**
 * `GET <stage base>/participants` with a participant token as bearer: who publishes on that token's stage
 * now (the host console's "on the stage" list). Any valid token of the stage may ask, as any IVS participant
 * learns of the others through the events WebSocket.
 *
 * LIMITATIONS: local only (IVS tells participants through its events WebSocket and the SDK's
 * `STAGE_PARTICIPANT_JOINED` events; ListParticipants is a control-plane call). Publishers only: the local
 * stage has no subscribers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StageParticipants } from './stage-participants.ts';
import type { StageParticipantClaims } from './participant-claims.ts';

/** The sub-path of the participants list under the stage's mount point. */
export const PARTICIPANTS_SUB_PATH = '/participants';

/** One participant as the list shows it (no tokens, no WHIP resource ids). */
export interface ParticipantSummary {
  participantId: string;
  userId?: string;
  displayName?: string;
  role?: string;
  state: string;
  joinedAt: string;
  audioPackets: number;
  videoPackets: number;
  /** Whether this is the participant of the token that asked. */
  self: boolean;
}

/** The participants of the asking token's stage. */
export function participantsOfStage(participants: StageParticipants, claims: StageParticipantClaims): ParticipantSummary[] {
  return participants.listPublications(claims.resource).map((p) => ({
    participantId: p.participantId,
    ...(p.userId ? { userId: p.userId } : {}),
    ...(p.attributes.displayName ? { displayName: p.attributes.displayName } : {}),
    ...(p.attributes.role ? { role: p.attributes.role } : {}),
    state: p.state,
    joinedAt: p.joinedAt.toISOString(),
    audioPackets: p.audioPackets,
    videoPackets: p.videoPackets,
    self: p.participantId === claims.jti,
  }));
}

/** Answers GET /participants (the caller has checked the token); other methods get 405. */
export function answerParticipants(
  req: IncomingMessage,
  res: ServerResponse,
  participants: StageParticipants,
  claims: StageParticipantClaims,
  cors: Record<string, string>,
): void {
  const body = JSON.stringify({ participants: participantsOfStage(participants, claims) });
  res.writeHead(200, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
