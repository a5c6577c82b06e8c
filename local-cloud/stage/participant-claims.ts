/**
 * What the local stage needs from a participant token. The IVS control plane signs the tokens and gives the
 * stage its verifier (the IVS provider's `verifyParticipantToken` has this shape); the stage never sees a
 * signing key.
 */

/** The claims of a participant token the stage reads (IVS's names). */
export interface StageParticipantClaims {
  /** The stage id. */
  topic: string;
  /** The stage ARN. */
  resource: string;
  /** The participant id. */
  jti: string;
  capabilities: { allow_publish: boolean; allow_subscribe: boolean };
  user_id?: string;
  attributes?: Record<string, string>;
  exp: number;
}

/** Checks a participant token (signature, expiry, claims, stage) and returns its claims; rejects when it is not valid. */
export type VerifyParticipantToken = (token: string) => Promise<StageParticipantClaims>;

/** Why a token is refused: a verifier's error carries one as `reason`. */
export type TokenRejectionReason =
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'STAGE_NOT_FOUND'
  | 'UNKNOWN_PARTICIPANT'
  | 'PARTICIPANT_DISCONNECTED'
  | 'WRONG_STAGE';

const REASONS: readonly TokenRejectionReason[] = ['MALFORMED', 'BAD_SIGNATURE', 'EXPIRED', 'STAGE_NOT_FOUND', 'UNKNOWN_PARTICIPANT', 'PARTICIPANT_DISCONNECTED', 'WRONG_STAGE'];

/** The reason a verifier gave for refusing a token (MALFORMED when it gave none). */
export function rejectionReasonOf(error: unknown): TokenRejectionReason {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return REASONS.includes(reason as TokenRejectionReason) ? (reason as TokenRejectionReason) : 'MALFORMED';
}

/** A token refused by the stage itself (not by the verifier). */
export class TokenRejectedError extends Error {
  constructor(
    message: string,
    readonly reason: TokenRejectionReason,
  ) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

/** Checks that the token's stage id and stage ARN agree (a token for another stage is refused). */
export function checkStageOfClaims(claims: StageParticipantClaims): void {
  if (claims.resource.split('/').pop() !== claims.topic) {
    throw new TokenRejectedError('The participant token names two different stages', 'WRONG_STAGE');
  }
}
