/**
 * What the HTTP API answers: the body of every success, by route, and the one error body. The functions
 * build these (functions/commons/session-view.ts, ...), the console and the typed client read them.
 * Public views only: no tokens of the state machine, no internal handles, no owner ids.
 */
import type { CommandStatus, CommandType } from './commands.ts';
import type { TrackLoudness } from './decks.ts';
import type { DuckingSettings } from './ducking.ts';
import type { MEDIA_CONTENT_TYPES } from './limits.ts';
import type { EndReason, NowPlaying, SessionStatus } from './session.ts';

/** GET /sessions/{sessionId}: the public view of a session. */
export interface SessionView {
  sessionId: string;
  title: string;
  status: SessionStatus;
  /** Why it ended (once ENDED or FAILED), and the reason in words. */
  reason?: EndReason;
  reasonMessage?: string;
  createdAt: string;
  updatedAt: string;
  liveAt?: string;
  /** When the show reaches its maximum length. */
  endsAt?: string;
  endedAt?: string;
  stageArn?: string;
  nowPlaying?: NowPlaying;
  /** Ducking under voices in force: as last switched live (nowPlaying.decks.ducking), else as the show was created. */
  ducking: DuckingSettings;
  /** How many times the program controller was replaced. */
  controllerRestarts: number;
}

/** POST /sessions (202): the session is STARTING. */
export interface CreatedSessionView {
  sessionId: string;
  executionArn: string;
  status: SessionStatus;
}

/** DELETE /sessions/{sessionId} (202): the session is ENDING. */
export interface EndingSessionView {
  sessionId: string;
  status: SessionStatus;
}

/** POST /sessions/{sessionId}/tokens (201): a participant token for the session's stage. */
export interface ParticipantTokenView {
  participantId: string;
  token: string;
  expirationTime: string;
  /** The stage's WHIP endpoint, read from the token (absent when the token names none). */
  whipUrl?: string;
}

/** POST /sessions/{sessionId}/commands (202): the command is QUEUED. */
export interface AcceptedCommandView {
  commandId: string;
  status: CommandStatus;
}

/** GET /sessions/{sessionId}/commands/{commandId}: the public view of a command. */
export interface CommandView {
  commandId: string;
  type: CommandType;
  status: CommandStatus;
  reason?: string;
  acceptedAt: string;
  /** When the controller applied or failed it. */
  appliedAt?: string;
}

/** A track as the API shows it (POST /tracks answers one, GET /tracks lists them): no owner id. */
export interface TrackView {
  trackId: string;
  title: string;
  programUrl: string;
  contentType: (typeof MEDIA_CONTENT_TYPES)[number];
  sizeBytes: number;
  createdAt: string;
  /** Its loudness once measured (integrated LUFS and true peak); absent until then. */
  loudness?: Pick<TrackLoudness, 'integratedLufs' | 'truePeakDbtp'>;
  /** Why it could not be measured; it then plays as it is. */
  loudnessError?: string;
  /**
   * GET /tracks: where the host's browser can listen to it (the console's cue): a presigned GET of its upload,
   * valid MEDIA_DOWNLOAD_URL_SECONDS, or the track's https URL. Never sent to the stage.
   */
  listenUrl?: string;
}

/** GET /tracks: the caller's tracks, oldest first. */
export interface TrackListView {
  tracks: TrackView[];
}

/** POST /media (201): PUT the file to `uploadUrl` with `uploadHeaders`, then play `programUrl`. */
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
