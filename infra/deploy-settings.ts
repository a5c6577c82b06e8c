/**
 * The deployment's settings, read from CDK context (`cdk.json`, or `-c name=value`), with documented
 * defaults (docs/deploy.md). Nothing here looks anything up: synth stays offline.
 */
import type { Node } from 'constructs';
import { MAX_WARM_POOL_SIZE, WARM_POOL_SIZE } from '#contract/index';
import type { JwtSettings } from './constructs/http-api.ts';

/**
 * Default issuer: a `.invalid` host (RFC 6761) that can never serve keys, so a stack deployed without
 * configuring `jwtIssuer` refuses every request instead of trusting some other issuer's tokens.
 */
export const DEFAULT_JWT_ISSUER = 'https://issuer.shelcaster.invalid/';
export const DEFAULT_JWT_AUDIENCE = 'shelcaster-api';
/** Default CORS origins of the API and the media bucket: any (requests carry a bearer token or a presigned URL). */
export const DEFAULT_ALLOWED_ORIGINS = ['*'];

export interface DeploySettings {
  jwt: JwtSettings;
  allowedOrigins: string[];
  /** Idle controllers the warm pool keeps (context `warmPoolSize`, default WARM_POOL_SIZE.aws; 0: no pool). */
  warmPoolSize: number;
}

/** Thrown when a context value has the wrong shape. */
export class InvalidContextError extends Error {
  constructor(name: string, reason: string) {
    super(`CDK context ${name}: ${reason}`);
    this.name = 'InvalidContextError';
  }
}

/** A context value as a list: a JSON array of strings, or a comma-separated string. */
function listFrom(node: Node, name: string, fallback: readonly string[]): string[] {
  const raw: unknown = node.tryGetContext(name);
  if (raw === undefined) return [...fallback];
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s): s is string => typeof s === 'string' && s.length > 0)) {
    throw new InvalidContextError(name, 'expected a non-empty list of strings');
  }
  return list;
}

/** The issuer: an https URL, as API Gateway's JWT authorizer requires. */
function issuerFrom(node: Node): string {
  const raw: unknown = node.tryGetContext('jwtIssuer') ?? DEFAULT_JWT_ISSUER;
  if (typeof raw !== 'string' || !raw.startsWith('https://')) {
    throw new InvalidContextError('jwtIssuer', 'expected an https:// URL');
  }
  return raw;
}

/** The warm pool's size: a whole number from 0 to MAX_WARM_POOL_SIZE. */
function warmPoolSizeFrom(node: Node): number {
  const raw: unknown = node.tryGetContext('warmPoolSize') ?? WARM_POOL_SIZE.aws;
  const size = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_WARM_POOL_SIZE) {
    throw new InvalidContextError('warmPoolSize', `expected a whole number from 0 to ${MAX_WARM_POOL_SIZE}`);
  }
  return size;
}

/** Reads the deployment settings from the context of a construct tree. */
export function readDeploySettings(node: Node): DeploySettings {
  return {
    jwt: { issuer: issuerFrom(node), audience: listFrom(node, 'jwtAudience', [DEFAULT_JWT_AUDIENCE]) },
    allowedOrigins: listFrom(node, 'allowedOrigins', DEFAULT_ALLOWED_ORIGINS),
    warmPoolSize: warmPoolSizeFrom(node),
  };
}
