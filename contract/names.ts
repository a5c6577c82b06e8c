/**
 * Resource names: the one place every name of the system is spelled.
 * CDK, the handlers, the controller and the local cloud all import these.
 */
import { UNCLAIMED_UPLOAD_DAYS } from './limits.ts';

/** Prefix of the per-session FIFO command queues (the seed's queue name). */
export const COMMAND_QUEUE_PREFIX = 'shelcaster-program-commands';

/** The FIFO queue that carries one session's commands and callback tokens. */
export function commandQueueName(sessionId: string): string {
  return `${COMMAND_QUEUE_PREFIX}-${sessionId}.fifo`;
}

/** The shared dead-letter queue of every session queue (FIFO, as its sources are). */
export const COMMAND_DLQ_NAME = `${COMMAND_QUEUE_PREFIX}-dlq.fifo`;

/** ECS cluster that runs program controllers. */
export const CLUSTER_NAME = 'shelcaster-cluster';

/** Task definition family of the program controller. */
export const CONTROLLER_TASK_FAMILY = 'shelcaster-program-controller';

/** Container name inside the controller task definition. */
export const CONTROLLER_CONTAINER_NAME = 'program-controller';

/** Fargate size of the controller task. */
export const CONTROLLER_TASK_SIZE = { cpu: 512, memoryMiB: 1024 } as const;

/** Seconds ECS waits after SIGTERM before SIGKILL (the container's stopTimeout). */
export const CONTROLLER_STOP_TIMEOUT_SECONDS = 10;

/**
 * The controller's container runs ECS's init process (tini) as PID 1 (linuxParameters.initProcessEnabled):
 * it passes SIGTERM on to node and reaps the processes Chromium leaves behind when its browser process exits
 * (a restarted Chromium's renderers), which node as PID 1 would leave as zombies.
 */
export const CONTROLLER_LINUX_PARAMETERS = { initProcessEnabled: true } as const;

/** Log group of the controller; one stream per task. */
export const CONTROLLER_LOG_GROUP = `/ecs/${CONTROLLER_TASK_FAMILY}`;

/** Stream prefix of the controller's awslogs driver (streams are `<prefix>/<container>/<taskId>`). */
export const CONTROLLER_LOG_STREAM_PREFIX = 'controller';

/** The session lifecycle state machine (Standard). */
export const STATE_MACHINE_NAME = 'shelcaster-session-lifecycle';

/** DynamoDB table of sessions and their commands. */
export const SESSIONS_TABLE_NAME = 'shelcaster-sessions';

/** Global secondary index of sessions by host. */
export const SESSIONS_BY_HOST_INDEX = 'byHost';

/** DynamoDB table of the Powertools idempotency records. */
export const IDEMPOTENCY_TABLE_NAME = 'shelcaster-idempotency';

/** Prefix of the media bucket; CDK appends account and region to make it unique. */
export const MEDIA_BUCKET_PREFIX = 'shelcaster-media';

/** The media bucket's name in an account and region (bucket names are global). */
export function mediaBucketName(account: string, region: string): string {
  return `${MEDIA_BUCKET_PREFIX}-${account}-${region}`;
}

/** Key prefixes inside the media bucket. */
export const MEDIA_KEY_PREFIX = 'media/';
export const RECORDING_KEY_PREFIX = 'recordings/';

/**
 * A user id as one key segment: letters, digits, `_` and `-` kept, every other UTF-8 byte written `~XX`
 * (so `.`/`..` segments, slashes and `~` itself cannot appear, and two user ids never share a segment).
 */
export function mediaOwnerSegment(userId: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(userId)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The key prefix of a user's uploads (`media/<owner segment>/`); POST /media writes only under it. */
export function mediaOwnerPrefix(userId: string): string {
  return `${MEDIA_KEY_PREFIX}${mediaOwnerSegment(userId)}/`;
}

/**
 * The tag an upload carries: POST /media signs `unclaimed` into the upload's PUT, POST /tracks sets `track`
 * on the object it registers. The media bucket's lifecycle rule (MEDIA_LIFECYCLE_RULE) deletes what stays
 * unclaimed; DELETE /tracks deletes the object with its last track.
 */
export const MEDIA_UPLOAD_TAG = { key: 'shelcaster-upload', unclaimed: 'unclaimed', track: 'track' } as const;

/** The tag set of a new upload, as the `x-amz-tagging` header writes it. */
export const UNCLAIMED_UPLOAD_TAGGING = `${MEDIA_UPLOAD_TAG.key}=${MEDIA_UPLOAD_TAG.unclaimed}`;

/** The media bucket's lifecycle rule for unclaimed uploads (CDK and the local deployer both set it). */
export const MEDIA_LIFECYCLE_RULE = {
  id: 'expire-unclaimed-uploads',
  prefix: MEDIA_KEY_PREFIX,
  tag: { key: MEDIA_UPLOAD_TAG.key, value: MEDIA_UPLOAD_TAG.unclaimed },
  expirationDays: UNCLAIMED_UPLOAD_DAYS,
} as const;

/** The IVS layout's path of a composite recording under its prefix: any key with a `/composite/` segment. */
export const COMPOSITE_RECORDING_KEY_PATTERN = '*/composite/*';

/** Where a session's episode (its recording as one audio file) is kept. */
export function episodeKey(sessionId: string): string {
  return `${RECORDING_KEY_PREFIX}${sessionId}/episode.m4a`;
}

/** The episode's content type (fragmented MP4, AAC). */
export const EPISODE_CONTENT_TYPE = 'audio/mp4';

/** EventBridge rule that ends a session's wait when its controller task stops. */
export const CONTROLLER_STOPPED_RULE_NAME = 'shelcaster-controller-stopped';

/** The EventBridge rule that sends each new track to shelcaster-measure-track (its loudness, measured once). */
export const TRACK_CREATED_RULE_NAME = 'shelcaster-track-created';
/** Source and detail type of the event POST /tracks puts on the default bus for each new track. */
export const TRACK_EVENT_SOURCE = 'shelcaster.tracks';
export const TRACK_CREATED_DETAIL_TYPE = 'Track Created';

/** HTTP API name. */
export const HTTP_API_NAME = 'shelcaster-api';

/** Tag every stage and composition carries so they can be traced back to a session. */
export const SESSION_TAG_KEY = 'shelcaster:sessionId';

/** Lambda function names, by role. */
export const FUNCTION_NAMES = {
  createSession: 'shelcaster-create-session',
  getSession: 'shelcaster-get-session',
  endSession: 'shelcaster-end-session',
  createParticipantToken: 'shelcaster-create-participant-token',
  enqueueCommand: 'shelcaster-enqueue-command',
  getCommand: 'shelcaster-get-command',
  createStage: 'shelcaster-create-stage',
  startController: 'shelcaster-start-controller',
  goLive: 'shelcaster-go-live',
  controllerLost: 'shelcaster-controller-lost',
  teardown: 'shelcaster-teardown',
  controllerStopped: 'shelcaster-controller-stopped',
  createMediaUpload: 'shelcaster-create-media-upload',
  getRecording: 'shelcaster-get-recording',
  listTracks: 'shelcaster-list-tracks',
  createTrack: 'shelcaster-create-track',
  deleteTrack: 'shelcaster-delete-track',
  getRunOfShow: 'shelcaster-get-run-of-show',
  editRunOfShow: 'shelcaster-edit-run-of-show',
  getAsRun: 'shelcaster-get-as-run',
  getChapters: 'shelcaster-get-chapters',
  serveConsole: 'shelcaster-serve-console',
  measureTrack: 'shelcaster-measure-track',
  warmPool: 'shelcaster-warm-pool',
} as const;

export type FunctionRole = keyof typeof FUNCTION_NAMES;

/** IVS storage configuration that writes composition recordings into the media bucket. */
export const IVS_STORAGE_CONFIGURATION_NAME = 'shelcaster-recordings';

/** IVS encoder configuration of the session's composition, and its video settings. */
export const IVS_ENCODER_CONFIGURATION_NAME = 'shelcaster-program';
export const COMPOSITION_VIDEO = { width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 } as const;
