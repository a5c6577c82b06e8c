/**
 * The data model: every item the system keeps in DynamoDB, its fields and its keys. The functions and the
 * controller read and write these shapes; the tables they live in are in tables.ts.
 *
 * The sessions table holds, by partition:
 * - `SESSION#<sessionId>`: the session (sk `SESSION`) and its commands (sk `COMMAND#<commandId>`);
 * - `HOST#<userId>`: the host's tracks (sk `TRACK#<trackId>`);
 * - `RATE#SESSION#<sessionId>` / `RATE#HOST#<userId>`: the rate limits' token buckets and live-session slots;
 * - `POOL#CONTROLLERS` / `POOL#REFILL`: the warm pool's controllers and its refill lease (warm-pool.ts).
 * The idempotency table holds Powertools' idempotency records (their shape is Powertools').
 */
import type { CommandInput, CommandStatus } from './commands.ts';
import type { TrackLoudness } from './decks.ts';
import type { DuckingSettings } from './ducking.ts';
import type { MEDIA_CONTENT_TYPES } from './limits.ts';
import type { RunOfShowItem, RunOfShowPosition } from './run-of-show.ts';
import type { EndReason, NowPlaying, SessionStatus } from './session.ts';

/** The keys of an item of the sessions table. */
export interface SessionsTableKey {
  pk: string;
  sk: string;
}

/** A session (pk `SESSION#<id>`, sk `SESSION`). */
/** One composition of a session and where it recorded. */
export interface SessionRecording {
  compositionArn: string;
  /** Where IVS writes the composite recording (absent when StartComposition named none). */
  recordingPrefix?: string;
  startedAt: string;
}

/** The session (pk `SESSION#<id>`, sk `SESSION`). */
export interface SessionRecord {
  sessionId: string;
  hostId: string;
  title: string;
  status: SessionStatus;
  reason?: EndReason;
  reasonDetail?: string;
  createdAt: string;
  updatedAt: string;
  liveAt?: string;
  endsAt?: string;
  endedAt?: string;
  executionArn: string;
  /**
   * When the last attempt to start the session's execution began (its first request, or a retry under the same
   * Idempotency-Key taking over while the session is STARTING); a session STARTING or ENDING with no execution
   * whose last attempt is older than SESSION_START_ABANDONED_SECONDS is an abandoned start (live-session-slots.ts).
   * Absent on records written before it existed: createdAt stands for it.
   */
  startAttemptAt?: string;
  stageArn?: string;
  queueUrl?: string;
  /** The session's current controller task, and which start of it (controllerRestarts when it was run). */
  taskArn?: string;
  controllerGeneration?: number;
  /** The current composition and where it records (the last of `recordings`). */
  compositionArn?: string;
  recordingPrefix?: string;
  /**
   * Every composition started for the session, in order: a composition restarted mid-show (the previous one
   * stopped) records a new part under a new prefix, and the episode is made of all of them.
   */
  recordings?: SessionRecording[];
  /** When each loss of the program controller was noticed (ISO times). */
  controllerLosses?: string[];
  controllerRestarts?: number;
  /** The host asked to end the show (the steps and the controller check it). */
  endRequested?: boolean;
  /** What the controller reports as playing. */
  nowPlaying?: NowPlaying;
  /** The URL of the program in `nowPlaying`, for a replacement controller to resume it (never in the API's view). */
  nowPlayingUrl?: string;
  /** The URLs of the bed's track and of the clips in `nowPlaying.decks`, for a replacement controller (never in the API's view). */
  nowPlayingDeckUrls?: { bed: string | null; clips: string[] };
  /** The run-of-show (contract/run-of-show.ts), in order; edited by the host through the API. */
  runOfShow?: RunOfShowItem[];
  /** Its version: every edit adds one, conditionally on the version the edit was made on (absent: 0). */
  runOfShowVersion?: number;
  /** Where the show is in it: the item played last. Written by the controller (NEXT, auto-advance). */
  runOfShowPosition?: RunOfShowPosition;
  /** Ducking under voices as the show was created with it (POST /sessions `ducking`); live changes are in nowPlaying.decks.ducking. */
  ducking?: DuckingSettings;
}

/** A command (pk `SESSION#<id>`, sk `COMMAND#<commandId>`). */
export interface CommandRecord {
  sessionId: string;
  commandId: string;
  command: CommandInput;
  status: CommandStatus;
  reason?: string;
  acceptedAt: string;
  /** When the controller applied or failed it. */
  appliedAt?: string;
  /** Deliveries it took to settle it. */
  attempts?: number;
  /** The controller's bookkeeping: deliveries that began applying it ... */
  attemptsStarted?: number;
  /** ... and those of them that failed transiently (it stayed QUEUED for redelivery). */
  transientFailures?: number;
  /**
   * The controllers (participant ids, a DynamoDB string set) that began applying it: more than one when a
   * controller was lost while applying it and its replacement applied it again.
   */
  attemptedBy?: Set<string>;
  /** The last transient failure's message. */
  lastError?: string;
  /** A FAILED command whose message belongs in the dead-letter queue (it kept failing). */
  deadLetter?: boolean;
  /** Which controller recorded the result (its participant id), in the same conditional write as the result. */
  appliedBy?: string;
}

/** A host's track (pk `HOST#<userId>`, sk `TRACK#<trackId>`): an uploaded file kept across sessions. */
export interface TrackRecord {
  trackId: string;
  hostId: string;
  title: string;
  programUrl: string;
  contentType: (typeof MEDIA_CONTENT_TYPES)[number];
  sizeBytes: number;
  createdAt: string;
  /** Its loudness, once measured (shortly after it was created; see docs/api.md, Loudness). */
  loudness?: TrackLoudness;
  /** Why it could not be measured (the file is not audio ffmpeg can read, ...); it then plays as it is. */
  loudnessError?: string;
}

/** A token bucket of a rate limit, kept as GCRA: `tat`, the theoretical arrival time (epoch ms) of the next request. */
export interface RateBucketRecord {
  tat: number;
}

/** A host's live-session slots (pk `RATE#HOST#<userId>`, sk `LIVE`): the sessions not yet ended. */
export interface LiveSlotsRecord {
  sessionIds: Set<string>;
}

/** Keys of a session and of its commands. */
export const sessionKey = (sessionId: string): SessionsTableKey => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' });
export const commandKey = (sessionId: string, commandId: string): SessionsTableKey => ({
  pk: `SESSION#${sessionId}`,
  sk: `COMMAND#${commandId}`,
});

/** Partition of one host's own items. */
export const hostPartitionKey = (hostId: string) => `HOST#${hostId}`;

/** Sort key prefix of tracks inside a host's partition. */
export const TRACK_SORT_KEY_PREFIX = 'TRACK#';

/** Keys of one track. */
export const trackKey = (hostId: string, trackId: string): SessionsTableKey => ({ pk: hostPartitionKey(hostId), sk: `${TRACK_SORT_KEY_PREFIX}${trackId}` });

/** The token bucket of a session's commands. */
export const commandRateKey = (sessionId: string): SessionsTableKey => ({ pk: `RATE#SESSION#${sessionId}`, sk: 'COMMANDS' });

/** The token bucket of a host's session starts. */
export const sessionStartRateKey = (hostId: string): SessionsTableKey => ({ pk: `RATE#HOST#${hostId}`, sk: 'SESSIONS' });

/** A host's live-session slots. */
export const hostLiveSlotsKey = (hostId: string): SessionsTableKey => ({ pk: `RATE#HOST#${hostId}`, sk: 'LIVE' });

/** The deployment's live-session slots (bounded by IVS's composition quota). */
export const ACCOUNT_LIVE_SLOTS_KEY: SessionsTableKey = { pk: 'RATE#ACCOUNT', sk: 'LIVE' };

/** The token bucket of one caller's requests on one route. */
export const callerRouteRateKey = (callerId: string, routeKey: string): SessionsTableKey => ({ pk: `RATE#CALLER#${callerId}`, sk: `ROUTE#${routeKey}` });
