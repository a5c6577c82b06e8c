/**
 * The HTTP API's routes: every route, the function behind it, and whether the JWT authorizer guards it.
 * CDK builds the HTTP API from this list, the local API server serves the same list, and the typed client
 * (api-client.ts) builds its requests from it. No schema library here: the console bundles this file.
 */
import { FUNCTION_NAMES, type FunctionRole } from './names.ts';

/** A request rate: steady requests per second and how many may come at once. */
export interface RequestRate {
  ratePerSecond: number;
  burst: number;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway route path, `{name}` for a path parameter. */
  path: string;
  function: FunctionRole;
  /** Whether the JWT authorizer guards it. */
  authorized: boolean;
  /**
   * API Gateway's throttle of this route, for all callers together (the stage's route settings): each route
   * has its own budget, so a flood of one route (the public console files included) leaves the others theirs.
   */
  throttle: RequestRate;
  /**
   * The functions' limit per caller (the token's `sub`) on this route: a caller over it gets 429 and leaves the
   * route's budget to the others. Absent where the route's own limits per session or host already bound a
   * caller (commands, session starts) and on the public routes (no caller). See docs/api.md.
   */
  perCaller?: RequestRate;
}

export const API_ROUTES: readonly ApiRoute[] = [
  // Per host: SESSIONS_PER_HOST_PER_HOUR and MAX_LIVE_SESSIONS_PER_HOST.
  { method: 'POST', path: '/sessions', function: 'createSession', authorized: true, throttle: { ratePerSecond: 20, burst: 40 } },
  { method: 'GET', path: '/sessions/{sessionId}', function: 'getSession', authorized: true, throttle: { ratePerSecond: 500, burst: 1000 }, perCaller: { ratePerSecond: 20, burst: 40 } },
  { method: 'DELETE', path: '/sessions/{sessionId}', function: 'endSession', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 10 } },
  { method: 'POST', path: '/sessions/{sessionId}/tokens', function: 'createParticipantToken', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 5, burst: 20 } },
  // Per session: COMMANDS_PER_SESSION_PER_SECOND (a host has at most MAX_LIVE_SESSIONS_PER_HOST sessions).
  { method: 'POST', path: '/sessions/{sessionId}/commands', function: 'enqueueCommand', authorized: true, throttle: { ratePerSecond: 2000, burst: 4000 } },
  { method: 'GET', path: '/sessions/{sessionId}/commands/{commandId}', function: 'getCommand', authorized: true, throttle: { ratePerSecond: 1000, burst: 2000 }, perCaller: { ratePerSecond: 100, burst: 200 } },
  // Besides the upload quotas (MEDIA_UPLOADS_PER_USER_PER_DAY, MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY).
  { method: 'POST', path: '/media', function: 'createMediaUpload', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 20 } },
  { method: 'GET', path: '/sessions/{sessionId}/recording', function: 'getRecording', authorized: true, throttle: { ratePerSecond: 20, burst: 40 }, perCaller: { ratePerSecond: 1, burst: 10 } },
  { method: 'GET', path: '/tracks', function: 'listTracks', authorized: true, throttle: { ratePerSecond: 100, burst: 200 }, perCaller: { ratePerSecond: 5, burst: 20 } },
  { method: 'POST', path: '/tracks', function: 'createTrack', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 20 } },
  { method: 'DELETE', path: '/tracks/{trackId}', function: 'deleteTrack', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 20 } },
  // The run-of-show: read and edited by the host's console (a few tabs at most).
  { method: 'GET', path: '/sessions/{sessionId}/run-of-show', function: 'getRunOfShow', authorized: true, throttle: { ratePerSecond: 100, burst: 200 }, perCaller: { ratePerSecond: 10, burst: 40 } },
  { method: 'POST', path: '/sessions/{sessionId}/run-of-show', function: 'editRunOfShow', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 10, burst: 40 } },
  // The as-run log, as JSON or CSV (after the show, or during it).
  { method: 'GET', path: '/sessions/{sessionId}/as-run', function: 'getAsRun', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 20 } },
  // The episode's chapters (Podcasting 2.0 JSON chapters).
  { method: 'GET', path: '/sessions/{sessionId}/chapters', function: 'getChapters', authorized: true, throttle: { ratePerSecond: 50, burst: 100 }, perCaller: { ratePerSecond: 2, burst: 20 } },
  // The host console's pages and files (console.ts): public, no authorizer, budgets of their own.
  { method: 'GET', path: '/', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 50, burst: 100 } },
  { method: 'GET', path: '/podcast', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 50, burst: 100 } },
  { method: 'GET', path: '/call', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 50, burst: 100 } },
  { method: 'GET', path: '/assets/{proxy+}', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 100, burst: 200 } },
];

/** The throttle of requests no route names (API Gateway's default route settings of the stage). */
export const DEFAULT_ROUTE_THROTTLE: RequestRate = { ratePerSecond: 10, burst: 20 };

/** API Gateway's route key for a route (`POST /sessions`). */
export const routeKey = (route: ApiRoute): string => `${route.method} ${route.path}`;

/** The per-caller limit of a route, by its route key (undefined: none, or no such route). */
export const perCallerLimitOf = (key: string): RequestRate | undefined => API_ROUTES.find((route) => routeKey(route) === key)?.perCaller;

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
