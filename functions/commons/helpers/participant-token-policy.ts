/** Decides what a participant token of each role may do and how long it lives. */
import type { ParticipantTokenCapability } from '@aws-sdk/client-ivs-realtime';
import { CALLER_TOKEN_MINUTES, HOST_TOKEN_MINUTES, PARTICIPANT_ROLES } from '#contract/index';

export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** Capabilities and lifetime of a token for the role: both publish and subscribe; callers' tokens are short. */
export function participantTokenPolicy(role: ParticipantRole): { capabilities: ParticipantTokenCapability[]; durationMinutes: number } {
  return {
    capabilities: ['PUBLISH', 'SUBSCRIBE'],
    durationMinutes: role === 'HOST' ? HOST_TOKEN_MINUTES : CALLER_TOKEN_MINUTES,
  };
}
