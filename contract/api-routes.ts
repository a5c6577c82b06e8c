/**
 * The HTTP API's routes: every route, the function behind it, and whether the JWT authorizer guards it.
 * CDK builds the HTTP API from this list, the local API server serves the same list, and the typed client
 * (api-client.ts) builds its requests from it. No schema library here: the console bundles this file.
 */
import { FUNCTION_NAMES, type FunctionRole } from './names.ts';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway route path, `{name}` for a path parameter. */
  path: string;
  function: FunctionRole;
  /** Whether the JWT authorizer guards it. */
  authorized: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/sessions', function: 'createSession', authorized: true },
  { method: 'GET', path: '/sessions/{sessionId}', function: 'getSession', authorized: true },
  { method: 'DELETE', path: '/sessions/{sessionId}', function: 'endSession', authorized: true },
  { method: 'POST', path: '/sessions/{sessionId}/tokens', function: 'createParticipantToken', authorized: true },
  { method: 'POST', path: '/sessions/{sessionId}/commands', function: 'enqueueCommand', authorized: true },
  { method: 'GET', path: '/sessions/{sessionId}/commands/{commandId}', function: 'getCommand', authorized: true },
  { method: 'POST', path: '/media', function: 'createMediaUpload', authorized: true },
  { method: 'GET', path: '/sessions/{sessionId}/recording', function: 'getRecording', authorized: true },
  { method: 'GET', path: '/tracks', function: 'listTracks', authorized: true },
  { method: 'POST', path: '/tracks', function: 'createTrack', authorized: true },
  { method: 'DELETE', path: '/tracks/{trackId}', function: 'deleteTrack', authorized: true },
  // The host console's pages and files (console.ts): public, no authorizer.
  { method: 'GET', path: '/', function: 'serveConsole', authorized: false },
  { method: 'GET', path: '/podcast', function: 'serveConsole', authorized: false },
  { method: 'GET', path: '/call', function: 'serveConsole', authorized: false },
  { method: 'GET', path: '/assets/{proxy+}', function: 'serveConsole', authorized: false },
];

/** API Gateway's route key for a route (`POST /sessions`). */
export const routeKey = (route: ApiRoute): string => `${route.method} ${route.path}`;

export const functionNameOf = (route: ApiRoute): string => FUNCTION_NAMES[route.function];

/** Header that makes POST /sessions and POST commands idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** A route's path with its `{name}` parameters filled in (each URI-encoded); throws when one is missing. */
export function fillRoutePath(route: Pick<ApiRoute, 'path'>, params: Readonly<Record<string, string>> = {}): string {
  return route.path.replace(/\{(\w+)\+?\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${route.path}`);
    return encodeURIComponent(value);
  });
}
