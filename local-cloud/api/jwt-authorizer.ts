/**
 * The HTTP API's JWT authorizer, as API Gateway applies it: the token from the Authorization header (with or
 * without `Bearer `), an RSA signature checked against the issuer's JWKS (matched by `kid`), `iss` equal to
 * the configured issuer, `aud` (or `client_id` without `aud`) one of the configured audiences, `exp` in the
 * future, `nbf` and `iat` not in the future. Claims reach the function as strings, scopes from `scope`/`scp`.
 * The same settings (JwtAuthorizerSettings in the contract) configure the authorizer on AWS.
 */
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtAuthorizerSettings } from '#contract/http-api';

/** API Gateway's JWT authorizers accept RSA signatures only. */
export const JWT_AUTHORIZER_ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/** What an authorized request carries into `requestContext.authorizer.jwt`. */
export interface JwtAuthorization {
  claims: Record<string, string>;
  scopes: string[] | null;
}

/** Why a token was refused (never sent to the caller, who only sees 401 Unauthorized). */
export class JwtRefusedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwtRefusedError';
  }
}

/** Claims as API Gateway passes them: every value a string, lists as `[a b]`. */
export function claimsAsStrings(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) claims[name] = `[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' ')}]`;
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

function scopesOf(payload: JWTPayload): string[] | null {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.map(String);
  return null;
}

function audienceMatches(payload: JWTPayload, audience: readonly string[]): boolean {
  if (payload.aud !== undefined) {
    const auds = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return auds.some((aud) => audience.includes(aud));
  }
  return typeof payload.client_id === 'string' && audience.includes(payload.client_id);
}

/** The keys of an issuer found as API Gateway finds them: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. */
export async function discoverIssuerKeys(issuer: string): Promise<JWTVerifyGetKey> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new JwtRefusedError(`The issuer's OpenID configuration answered ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new JwtRefusedError("The issuer's OpenID configuration has no jwks_uri");
  return createRemoteJWKSet(new URL(jwksUri));
}

/** Keys from a JWKS document held in memory. */
export function localIssuerKeys(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}

/** Builds the authorizer; it resolves the authorization or throws JwtRefusedError. */
export function createJwtAuthorizer(settings: JwtAuthorizerSettings, keys: JWTVerifyGetKey, now: () => Date = () => new Date()) {
  return async function authorize(authorizationHeader: string | undefined): Promise<JwtAuthorization> {
    const token = authorizationHeader?.trim().replace(/^bearer\s+/i, '');
    if (!token) throw new JwtRefusedError('No token in the Authorization header');
    const currentDate = now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: JWT_AUTHORIZER_ALGORITHMS,
        issuer: settings.issuer,
        requiredClaims: ['exp'],
        currentDate,
      }));
    } catch (error) {
      throw new JwtRefusedError('The token is not valid', { cause: error });
    }
    if (!audienceMatches(payload, settings.audience)) throw new JwtRefusedError('The token is for another audience');
    if (typeof payload.iat === 'number' && payload.iat > currentDate.getTime() / 1000) {
      throw new JwtRefusedError('The token was issued in the future');
    }
    return { claims: claimsAsStrings(payload), scopes: scopesOf(payload) };
  };
}
