/**
 * What the local stage needs from a participant token. The IVS control plane signs the tokens and gives the
 * stage its verifier (`ParticipantTokenSigner.verify` has this shape); the stage never sees a signing key.
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

/** Checks a participant token (signature, expiry) and returns its claims; rejects when it is not valid. */
export type VerifyParticipantToken = (token: string) => Promise<StageParticipantClaims>;
