/**
 * How the local stage says no, in IVS's words as the web SDK (1.41.0) reads them: HTTP errors of the WHIP
 * routes carry a JSON body `{code, message}` with IVS's numeric WHIP codes; the events WebSocket sends
 * `aws:ivs:JOIN_ERROR {code, message}` when it refuses a join and `aws:ivs:DISCONNECT {code, reason}` when it
 * ends one. Messages never contain a token.
 */
import type { TokenRejectionReason } from './participant-claims.ts';

/** IVS's WHIP error codes (the SDK maps 400–403 with 2002/2003/2005/2014 and 404 with 2004 to its own errors). */
export const WHIP_ERROR = {
  UNSPECIFIED: 2001,
  TOKEN_EXPIRED: 2002,
  NO_PERMISSIONS: 2003,
  REMOTE_STREAM_NOT_FOUND: 2004,
  STAGE_AT_CAPACITY: 2005,
  NO_MATCHING_CODEC: 2014,
} as const;
export type WhipErrorCode = (typeof WHIP_ERROR)[keyof typeof WHIP_ERROR];

/** The codes of `aws:ivs:JOIN_ERROR` the SDK knows. */
export type JoinErrorCode =
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'TOKEN_INVALID_SIGNATURE'
  | 'TOKEN_MISSING'
  | 'STAGE_DELETED'
  | 'PARTICIPANT_DISCONNECTED'
  | 'INTERNAL'
  | 'BAD_REQUEST';

/** The codes of `aws:ivs:DISCONNECT` the SDK knows. */
export type DisconnectCode = 'PARTICIPANT_DISCONNECTED' | 'STAGE_DELETED' | 'TOKEN_REUSED' | 'MAX_CONCURRENT_CONNECTIONS';

/** An HTTP error of a stage route: status, IVS code, a message safe to send back. */
export class StageHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: WhipErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'StageHttpError';
  }
}

/** The JOIN_ERROR code for a refused token. */
export function joinErrorFor(reason: TokenRejectionReason): JoinErrorCode {
  switch (reason) {
    case 'EXPIRED':
      return 'TOKEN_EXPIRED';
    case 'BAD_SIGNATURE':
      return 'TOKEN_INVALID_SIGNATURE';
    case 'STAGE_NOT_FOUND':
      return 'STAGE_DELETED';
    case 'PARTICIPANT_DISCONNECTED':
      return 'PARTICIPANT_DISCONNECTED';
    default:
      return 'TOKEN_INVALID';
  }
}

/** The message that goes with a refused token (never the token). */
export function rejectionMessage(reason: TokenRejectionReason): string {
  switch (reason) {
    case 'EXPIRED':
      return 'The participant token has expired';
    case 'BAD_SIGNATURE':
      return 'The participant token signature is not valid';
    case 'STAGE_NOT_FOUND':
      return 'The stage of the participant token has been deleted';
    case 'UNKNOWN_PARTICIPANT':
      return 'The participant of the token is not known to the stage';
    case 'PARTICIPANT_DISCONNECTED':
      return 'The participant has been disconnected from the stage';
    case 'WRONG_STAGE':
      return 'The participant token is for another stage';
    default:
      return 'The participant token is not valid';
  }
}

/** The HTTP error of a WHIP route for a refused token. */
export function httpErrorFor(reason: TokenRejectionReason): StageHttpError {
  const headers = { 'www-authenticate': 'Bearer error="invalid_token"' };
  if (reason === 'EXPIRED') return new StageHttpError(401, WHIP_ERROR.TOKEN_EXPIRED, rejectionMessage(reason), headers);
  if (reason === 'PARTICIPANT_DISCONNECTED') return new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, rejectionMessage(reason));
  return new StageHttpError(401, WHIP_ERROR.UNSPECIFIED, rejectionMessage(reason), headers);
}
