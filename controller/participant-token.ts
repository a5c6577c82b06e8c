/**
 * The controller's own participant token, long enough for the longest show: it publishes the program and
 * subscribes to the others' audio (ducking under their voices, contract/ducking.ts).
 */
import { CreateParticipantTokenCommand, type IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { CONTROLLER_TOKEN_MINUTES } from '#contract/index';
import { JoinFailedError } from './errors.ts';

export const CONTROLLER_USER_ID = 'program-controller';

export interface ControllerToken {
  token: string;
  participantId: string;
}

/** Creates a PUBLISH and SUBSCRIBE participant token for the stage; throws JoinFailedError when IVS refuses. */
export async function createControllerToken(ivs: IVSRealTimeClient, stageArn: string, sessionId: string): Promise<ControllerToken> {
  try {
    const { participantToken } = await ivs.send(
      new CreateParticipantTokenCommand({
        stageArn,
        duration: CONTROLLER_TOKEN_MINUTES,
        capabilities: ['PUBLISH', 'SUBSCRIBE'],
        userId: CONTROLLER_USER_ID,
        attributes: { role: 'CONTROLLER', sessionId },
      }),
    );
    if (!participantToken?.token || !participantToken.participantId) throw new Error('IVS returned no token');
    return { token: participantToken.token, participantId: participantToken.participantId };
  } catch (error) {
    throw new JoinFailedError(`Creating the controller's participant token failed: ${(error as Error).message}`, { cause: error });
  }
}
