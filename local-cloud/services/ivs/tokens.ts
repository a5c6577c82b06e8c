/**
 * Participant tokens as IVS issues them: ES384-signed JWTs that carry the stage, the participant id, the
 * stage's WHIP and events URLs and the participant's capabilities. The key pair is generated once and kept
 * in the data dir, so tokens stay valid across restarts. A token is a secret: nothing here logs one or puts
 * one in an error message.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import type { TokenRejectionReason } from '#local-cloud/stage/participant-claims';

/** IVS signs participant tokens with ECDSA P-384. */
export const PARTICIPANT_TOKEN_ALG = 'ES384';

/** The claims of a participant token (the names IVS uses). */
export interface ParticipantTokenClaims {
  /** The stage id. */
  topic: string;
  /** The stage ARN. */
  resource: string;
  /** The participant id. */
  jti: string;
  whip_url: string;
  events_url: string;
  capabilities: { allow_publish: boolean; allow_subscribe: boolean };
  attributes: Record<string, string>;
  user_id?: string;
  version: string;
  exp: number;
  iat: number;
}

/** A participant token that is not (or no longer) accepted. The message never contains the token. */
export class InvalidParticipantTokenError extends Error {
  constructor(
    message: string,
    readonly reason: TokenRejectionReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidParticipantTokenError';
  }
}

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

/** Signs and verifies participant tokens with the local cloud's key pair. */
export class ParticipantTokenSigner {
  private constructor(
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    /** The public half, as a JWK (for whoever checks tokens outside this process). */
    readonly publicJwk: JWK,
  ) {}

  /** Loads the key pair kept under `<dataDir>/ivs/`, generating it the first time. */
  static async open(dataDir: string): Promise<ParticipantTokenSigner> {
    const dir = join(dataDir, 'ivs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'participant-token-key.json');
    let stored: StoredKey;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const { privateKey } = await generateKeyPair(PARTICIPANT_TOKEN_ALG, { extractable: true });
      stored = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const privateKey = (await importJWK(stored.privateJwk, PARTICIPANT_TOKEN_ALG)) as CryptoKey;
    const { d: _private, ...publicJwk } = stored.privateJwk;
    const publicKey = (await importJWK(publicJwk, PARTICIPANT_TOKEN_ALG)) as CryptoKey;
    return new ParticipantTokenSigner(stored.kid, privateKey, publicKey, { ...publicJwk, kid: stored.kid, alg: PARTICIPANT_TOKEN_ALG });
  }

  /** Signs a token carrying these claims. */
  async sign(claims: ParticipantTokenClaims): Promise<string> {
    const { exp, iat, jti, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: PARTICIPANT_TOKEN_ALG, typ: 'JWT', kid: this.kid })
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
  }

  /**
   * Checks the signature, the expiry and the claims a stage needs (IVS always sets `exp` and `capabilities`;
   * the web SDK treats a token without `exp` as expired and fails on one without `capabilities`), and
   * returns the claims.
   */
  async verify(token: string, now: Date = new Date()): Promise<ParticipantTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: [PARTICIPANT_TOKEN_ALG], currentDate: now });
      if (typeof payload.jti !== 'string' || typeof payload.resource !== 'string' || typeof payload.topic !== 'string') {
        throw new InvalidParticipantTokenError('The participant token lacks its stage or participant', 'MALFORMED');
      }
      if (typeof payload.exp !== 'number') throw new InvalidParticipantTokenError('The participant token has no expiry (exp)', 'MALFORMED');
      const capabilities = payload.capabilities as Record<string, unknown> | undefined;
      if (typeof capabilities !== 'object' || capabilities === null || typeof capabilities.allow_publish !== 'boolean' || typeof capabilities.allow_subscribe !== 'boolean') {
        throw new InvalidParticipantTokenError('The participant token has no capabilities', 'MALFORMED');
      }
      return payload as unknown as ParticipantTokenClaims;
    } catch (error) {
      if (error instanceof InvalidParticipantTokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        throw new InvalidParticipantTokenError('The participant token has expired', 'EXPIRED', { cause: error });
      }
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
        throw new InvalidParticipantTokenError('The participant token signature is not valid', 'BAD_SIGNATURE', { cause: error });
      }
      throw new InvalidParticipantTokenError('The participant token is not valid', 'MALFORMED', { cause: error });
    }
  }
}
