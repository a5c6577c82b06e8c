/**
 * CORS as the HTTP API answers it when configured: preflight `OPTIONS` answered by API Gateway itself (204),
 * and `access-control-allow-origin` on every answer to an allowed origin. The allowed origins are the local
 * cloud's origin policy (never `*`, never an echo of an origin it does not list).
 */
import { API_CORS } from '#contract/http-api';
import type { OriginPolicy } from '../gateway/origin-policy.ts';

export interface CorsSettings {
  /** Allowed origins. */
  allowOrigins: OriginPolicy;
  allowHeaders: readonly string[];
  allowMethods: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/** The contract's CORS with the given origins. */
export function corsSettings(allowOrigins: OriginPolicy): CorsSettings {
  return { ...API_CORS, allowOrigins };
}

function allowedOrigin(settings: CorsSettings, origin: string | undefined): string | undefined {
  return settings.allowOrigins.corsOrigin(origin);
}

/** Whether a request is a CORS preflight. */
export function isPreflight(method: string, headers: Record<string, string | string[] | undefined>): boolean {
  return method === 'OPTIONS' && typeof headers.origin === 'string' && typeof headers['access-control-request-method'] === 'string';
}

/** Headers of the answer to a preflight. */
export function preflightHeaders(settings: CorsSettings, origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(settings, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': settings.allowMethods.join(','),
    'access-control-allow-headers': settings.allowHeaders.join(','),
    'access-control-max-age': String(settings.maxAgeSeconds),
  };
}

/** CORS headers added to an ordinary answer. */
export function responseCorsHeaders(settings: CorsSettings, origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(settings, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(settings.exposeHeaders.length > 0 ? { 'access-control-expose-headers': settings.exposeHeaders.join(',') } : {}),
    vary: 'origin',
  };
}
