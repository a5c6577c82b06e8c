/**
 * The HTTP API's JWT authorizer and CORS settings: CDK configures the HTTP API with them, and the local API
 * server applies the same check (local-cloud/api/jwt-authorizer.ts).
 */

/** Where the JWT authorizer reads the token (API Gateway's identity source). */
export const JWT_IDENTITY_SOURCE = '$request.header.Authorization';

/** What a JWT authorizer is configured with: the issuer (its `/.well-known/openid-configuration` gives the JWKS) and the accepted audiences. */
export interface JwtAuthorizerSettings {
  issuer: string;
  /** A token passes when its `aud` (or, without `aud`, its `client_id`) is one of these. */
  audience: readonly string[];
}

/** The audience of the tokens the local cloud issues (`npm run token`). */
export const LOCAL_JWT_AUDIENCE = 'shelcaster-api';

/** CORS of the HTTP API, for the console. Allowed origins come from the deployment (the console's origin). */
export const API_CORS = {
  allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
  allowMethods: ['GET', 'POST', 'DELETE'],
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 600,
} as const;
