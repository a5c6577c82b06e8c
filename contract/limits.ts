/**
 * Limits and timings of the system. One module, read by CDK, handlers, controller and local cloud.
 */

/** Seconds a new controller has to join the stage and publish before the session fails. */
export const READY_TIMEOUT_SECONDS = 120;

/** The OnAir callback's HeartbeatSeconds: a controller silent this long is lost. */
export const HEARTBEAT_TIMEOUT_SECONDS = 30;

/**
 * How long the controller-stopped function waits, when its session's controller stopped while no callback was
 * open (a step between two callbacks ran: StartController's end, GoLive), for the next callback to open and
 * fail it. Within that function's timeout (contract/functions.ts); looks every CONTROLLER_STOP_LOOK_MS.
 */
export const CONTROLLER_STOP_CALLBACK_WAIT_SECONDS = 20;
export const CONTROLLER_STOP_LOOK_MS = 500;

/** How often the controller heartbeats (well inside HEARTBEAT_TIMEOUT_SECONDS). */
export const HEARTBEAT_INTERVAL_SECONDS = 5;

/** The longest a show may stay on air (OnAir's TimeoutSeconds). */
export const MAX_SHOW_SECONDS = 4 * 60 * 60;

/**
 * How often a controller checks that it is still its session's controller (the record names its task, or a
 * later start of it) and that the session is not over; one that is not stops itself.
 */
export const CONTROLLER_OWNERSHIP_CHECK_SECONDS = 10;

/** Controller replacements allowed within CONTROLLER_RESTART_WINDOW_SECONDS before the show is torn down. */
export const MAX_CONTROLLER_RESTARTS = 3;
export const CONTROLLER_RESTART_WINDOW_SECONDS = 10 * 60;

/** Largest HTTP request body the API accepts. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

/** Participant tokens (minutes, as IVS counts them). */
export const HOST_TOKEN_MINUTES = 12 * 60;
export const CALLER_TOKEN_MINUTES = 60;
export const CONTROLLER_TOKEN_MINUTES = 24 * 60;
export const MAX_PARTICIPANT_TOKEN_MINUTES = 20_160;
export const MAX_PARTICIPANT_ATTRIBUTES_BYTES = 1024;

/**
 * Command queue: visibility of a received message, receives before dead-lettering. Short on purpose: the
 * controller extends the visibility of what it is working on every half of it, and a message handed to a
 * dead controller's last long poll (SQS cannot know the client died) comes back after this long — which
 * bounds how long a replacement controller waits for its READY token or the next command.
 */
export const COMMAND_VISIBILITY_TIMEOUT_SECONDS = 4;
export const COMMAND_MAX_RECEIVE_COUNT = 5;
export const COMMAND_RETENTION_SECONDS = 24 * 60 * 60;
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** Media the controller will fetch and play. */
export const MAX_MEDIA_BYTES = 200 * 1024 * 1024;
export const MAX_MEDIA_SECONDS = 2 * 60 * 60;
export const MEDIA_FETCH_TIMEOUT_SECONDS = 30;
export const MEDIA_CONTENT_TYPES = [
  'audio/wav',
  'audio/x-wav',
  'audio/wave',
  'audio/mpeg',
  'audio/ogg',
  'audio/opus',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
] as const;
export type MediaContentType = (typeof MEDIA_CONTENT_TYPES)[number];
export const MEDIA_UPLOAD_URL_SECONDS = 15 * 60;
export const MEDIA_DOWNLOAD_URL_SECONDS = 60 * 60;

/** Most tracks one host may keep; POST /tracks answers 409 CONFLICT beyond it. */
export const MAX_TRACKS_PER_HOST = 200;

/** Longest track title. */
export const MAX_TRACK_TITLE_LENGTH = 200;

/** Retry-After (seconds) of GET /sessions/{id}/recording while the recording is not ready. */
export const RECORDING_RETRY_AFTER_SECONDS = 5;

/** Rate limits (token buckets). */
export const COMMANDS_PER_SESSION_PER_SECOND = 50;
export const COMMANDS_PER_SESSION_BURST = 100;
export const SESSIONS_PER_HOST_PER_HOUR = 20;
export const MAX_LIVE_SESSIONS_PER_HOST = 3;

/**
 * IVS real-time's quota of compositions running at once in an account and region (AWS's default; adjustable
 * through Service Quotas). Every live show holds one composition, so this also bounds the sessions not yet
 * ENDED or FAILED across all hosts: a start beyond it is refused up front (429) instead of failing at GoLive.
 * Raise it here when the account's quota is raised (CDK deploys it); the local cloud's operator setting
 * (`SHELCASTER_IVS_COMPOSITION_QUOTA`) raises its IVS's quota. Either way the create-session function gets the
 * deployment's quota in ENV.compositionQuota (binding `compositionQuota`) and caps the live sessions with it
 * (maxLiveSessionsPerAccount), so the cap and the quota are one setting.
 */
export const IVS_COMPOSITION_QUOTA = 5;
/** The cap of live sessions of the account with the default quota (see maxLiveSessionsPerAccount). */
export const MAX_LIVE_SESSIONS_PER_ACCOUNT = IVS_COMPOSITION_QUOTA;

/** The account's cap of live sessions: the deployment's composition quota (a whole number ≥ 1), else the default. */
export function maxLiveSessionsPerAccount(quotaSetting: string | undefined): number {
  const quota = Number(quotaSetting);
  return Number.isInteger(quota) && quota >= 1 ? quota : IVS_COMPOSITION_QUOTA;
}

/**
 * Uploads (POST /media) per user: files and bytes a day (token buckets holding a day's worth at most), counted
 * when the upload URL is made. With UNCLAIMED_UPLOAD_DAYS they bound what a user can keep in the bucket
 * without tracks: at most that many days of uploads, besides MAX_TRACKS_PER_HOST tracks.
 */
export const MEDIA_UPLOADS_PER_USER_PER_DAY = 100;
export const MEDIA_UPLOAD_BYTES_PER_USER_PER_DAY = 2 * 1024 * 1024 * 1024;

/** Days after which an upload that no track names (still tagged unclaimed) is deleted by the bucket's lifecycle rule. */
export const UNCLAIMED_UPLOAD_DAYS = 7;

/**
 * Seconds after the last attempt to start a session's execution began (SessionRecord.startAttemptAt) after
 * which a session still STARTING or ENDING without an execution is taken for abandoned (its request died
 * between writing the record and starting the execution): the next start that finds the live slots full
 * records it FAILED and drops its slots. Longer than shelcaster-create-session's timeout (10 s), so no
 * attempt can still be about to start the execution.
 */
export const SESSION_START_ABANDONED_SECONDS = 60;

/** How long idempotency keys are remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Log retention (days) for every log group. */
export const LOG_RETENTION_DAYS = 30;

/** The numbers the state machine reads from its input (`$.limits`). */
export interface ExecutionLimits {
  readyTimeoutSeconds: number;
  heartbeatSeconds: number;
  maxShowSeconds: number;
}

export const DEFAULT_EXECUTION_LIMITS: ExecutionLimits = {
  readyTimeoutSeconds: READY_TIMEOUT_SECONDS,
  heartbeatSeconds: HEARTBEAT_TIMEOUT_SECONDS,
  maxShowSeconds: MAX_SHOW_SECONDS,
};
