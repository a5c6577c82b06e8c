/**
 * The HTTP API: every route, the function behind it, and the request bodies it accepts.
 * CDK builds the HTTP API from this list; the local API server serves the same list.
 */
import { z } from 'zod';
import { FUNCTION_NAMES, type FunctionRole } from './names.ts';
import { CommandInput } from './commands.ts';
import { MEDIA_CONTENT_TYPES, MAX_MEDIA_BYTES, MAX_PARTICIPANT_ATTRIBUTES_BYTES } from './limits.ts';

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
  /** Headers the PUT must carry exactly (they are signed into the URL). */
  uploadHeaders: { 'content-type': string; 'content-length': string };
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
