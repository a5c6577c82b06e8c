/**
 * The HTTP API: every route, the function behind it, and the request bodies it accepts.
 * CDK builds the HTTP API from this list; the local API server serves the same list.
 */
import { z } from 'zod';
import { FUNCTION_NAMES, type FunctionRole } from './names.ts';
import { CommandInput } from './commands.ts';
import { MEDIA_CONTENT_TYPES, MAX_MEDIA_BYTES, MAX_PARTICIPANT_ATTRIBUTES_BYTES } from './limits.ts';

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
  // The host console's page and files (console.ts): public, no authorizer, budgets of their own.
  { method: 'GET', path: '/', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 50, burst: 100 } },
  { method: 'GET', path: '/podcast', function: 'serveConsole', authorized: false, throttle: { ratePerSecond: 50, burst: 100 } },
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

/** Bodies. Strict: unknown fields are refused. */
export const CreateSessionBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
});
export type CreateSessionBody = z.infer<typeof CreateSessionBody>;

export const PARTICIPANT_ROLES = ['HOST', 'CALLER'] as const;
export const CreateParticipantTokenBody = z.strictObject({
  role: z.enum(PARTICIPANT_ROLES),
  /** Shown to others on the stage. */
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine((s) => Buffer.byteLength(s) <= MAX_PARTICIPANT_ATTRIBUTES_BYTES / 4, 'displayName is too long'),
});
export type CreateParticipantTokenBody = z.infer<typeof CreateParticipantTokenBody>;

export const EnqueueCommandBody = CommandInput;

export const CreateMediaBody = z.strictObject({
  fileName: z.string().trim().min(1).max(200),
  contentType: z.enum(MEDIA_CONTENT_TYPES),
  sizeBytes: z.number().int().min(1).max(MAX_MEDIA_BYTES),
});
export type CreateMediaBody = z.infer<typeof CreateMediaBody>;

/** The answer of POST /media: PUT the file to `uploadUrl` with `uploadHeaders`, then play `programUrl`. */
export interface CreateMediaResponse {
  uploadUrl: string;
  /**
   * Headers the PUT must carry exactly (they are signed into the URL). A browser sets content-length itself;
   * `x-amz-tagging` marks the upload unclaimed until a track names it (MEDIA_UPLOAD_TAG).
   */
  uploadHeaders: { 'content-type': string; 'content-length': string; 'x-amz-tagging': string };
  /** `s3://<media bucket>/<key>`, for PLAY_MEDIA. */
  programUrl: string;
  key: string;
  /** ISO time after which uploadUrl is refused. */
  expiresAt: string;
}

/** Path parameters. */
export const SessionPathParams = z.strictObject({
  sessionId: z.uuid(),
});
export const CommandPathParams = z.strictObject({
  sessionId: z.uuid(),
  commandId: z.uuid(),
});

/** Machine-readable error codes of the API. */
export const API_ERROR_CODES = [
  'BAD_REQUEST',
  'INVALID_JSON',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'SESSION_NOT_ACTIVE',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'RECORDING_NOT_READY',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Every API error body. */
export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  /** Field-level problems for VALIDATION_FAILED. */
  issues?: { path: string; message: string }[];
}
