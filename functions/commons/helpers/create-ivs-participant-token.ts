/** Creates a participant token for a stage. The token is a secret: return it, never log it. */
import { CreateParticipantTokenCommand, type ParticipantTokenCapability } from '@aws-sdk/client-ivs-realtime';
import { ivsClient } from '#clients/ivs';

export interface ParticipantTokenRequest {
  stageArn: string;
  userId: string;
  durationMinutes: number;
  capabilities: ParticipantTokenCapability[];
  attributes: Record<string, string>;
}

export interface IssuedParticipantToken {
  participantId: string;
  token: string;
  expirationTime: string;
}

/** Calls CreateParticipantToken. */
export async function createIvsParticipantToken(request: ParticipantTokenRequest): Promise<IssuedParticipantToken> {
  const { participantToken } = await ivsClient.send(
    new CreateParticipantTokenCommand({
      stageArn: request.stageArn,
      userId: request.userId,
      duration: request.durationMinutes,
      capabilities: request.capabilities,
      attributes: request.attributes,
    }),
  );
  if (!participantToken?.token || !participantToken.participantId) throw new Error('CreateParticipantToken returned no token');
  const expiration = participantToken.expirationTime ?? new Date(Date.now() + request.durationMinutes * 60_000);
  return { participantId: participantToken.participantId, token: participantToken.token, expirationTime: new Date(expiration).toISOString() };
}
