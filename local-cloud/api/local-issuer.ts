/**
 * The local cloud as a JWT issuer for the local API: an RS256 key pair generated once and kept in the data
 * dir, its JWKS and OpenID configuration (served on the API port), and tokens for a user id. The running API
 * server records its issuer URL in the data dir so `npm run token` issues tokens it accepts.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { LOCAL_JWT_AUDIENCE } from '#contract/http-api';
import { LOCAL_API_PORT } from '../gateway/provider.ts';

export const LOCAL_ISSUER_ALG = 'RS256';
/** How long a local token lasts unless told otherwise. */
export const LOCAL_TOKEN_SECONDS = 12 * 60 * 60;
/** The issuer when no API server has recorded one yet. */
export const DEFAULT_LOCAL_ISSUER = `http://127.0.0.1:${LOCAL_API_PORT}`;

interface StoredKey {
  kid: string;
  privateJwk: JWK;
}

/** Where the running API server recorded who it is. */
export interface IssuerRecord {
  issuer: string;
  audience: string;
}

const apiDir = (dataDir: string) => join(dataDir, 'api');

/** The local issuer's key pair. */
export class LocalIssuerKeys {
  private constructor(
    readonly kid: string,
    private readonly privateKey: CryptoKey,
    /** The public key, as published in the JWKS. */
    readonly publicJwk: JWK,
  ) {}

  /** Loads the key pair kept under `<dataDir>/api/`, generating it the first time. */
  static async open(dataDir: string): Promise<LocalIssuerKeys> {
    mkdirSync(apiDir(dataDir), { recursive: true });
    const file = join(apiDir(dataDir), 'jwt-signing-key.json');
    let stored: StoredKey;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const { privateKey } = await generateKeyPair(LOCAL_ISSUER_ALG, { extractable: true, modulusLength: 2048 });
      stored = { kid: randomUUID(), privateJwk: await exportJWK(privateKey) };
      writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const { n, e, kty } = stored.privateJwk;
    const privateKey = (await importJWK(stored.privateJwk, LOCAL_ISSUER_ALG)) as CryptoKey;
    return new LocalIssuerKeys(stored.kid, privateKey, { kty, n, e, kid: stored.kid, alg: LOCAL_ISSUER_ALG, use: 'sig' });
  }

  /** The JWKS document (`/.well-known/jwks.json`). */
  jwks(): JSONWebKeySet {
    return { keys: [this.publicJwk] };
  }

  /** Signs a token for `userId` (its `sub`). */
  async sign(userId: string, issuer: string, audience: string, options: { seconds?: number; now?: Date } = {}): Promise<string> {
    const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: LOCAL_ISSUER_ALG, kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.seconds ?? LOCAL_TOKEN_SECONDS))
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}

/** The OpenID configuration document of the local issuer. */
export function openIdConfiguration(issuer: string) {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [LOCAL_ISSUER_ALG],
  };
}

/** Records the running server's issuer and audience in the data dir. */
export function recordIssuer(dataDir: string, record: IssuerRecord): void {
  mkdirSync(apiDir(dataDir), { recursive: true });
  writeFileSync(join(apiDir(dataDir), 'issuer.json'), JSON.stringify(record));
}

/** The issuer recorded in the data dir, or the default one. */
export function readIssuer(dataDir: string): IssuerRecord {
  try {
    return JSON.parse(readFileSync(join(apiDir(dataDir), 'issuer.json'), 'utf8')) as IssuerRecord;
  } catch {
    return { issuer: DEFAULT_LOCAL_ISSUER, audience: LOCAL_JWT_AUDIENCE };
  }
}

/** A bearer token for the local API of the local cloud whose data dir this is. */
export async function issueLocalToken(userId: string, options: { dataDir: string; seconds?: number; now?: Date }): Promise<string> {
  if (!userId) throw new Error('A user id is required');
  const keys = await LocalIssuerKeys.open(options.dataDir);
  const { issuer, audience } = readIssuer(options.dataDir);
  return keys.sign(userId, issuer, audience, options);
}
