/**
 * Every Lambda function of the system: its handler module, size, and what it is bound to.
 * CDK builds one function per entry (binding = environment variable + IAM grant); the local cloud
 * deploys the same entries with the same environment variable names.
 */
import { TRACK_CREATED_DETAIL_TYPE, TRACK_EVENT_SOURCE, type FunctionRole } from './names.ts';
import { CONSOLE_DIST_DIR } from './console.ts';
import { ENV } from './env.ts';

/** What a function may reach. Each binding sets the environment variables listed in BINDING_ENV. */
export type Binding =
  | 'sessionsTable'
  | 'idempotencyTable'
  | 'mediaBucket'
  | 'stateMachine'
  | 'controllerTask'
  | 'commandQueues'
  | 'stages'
  | 'compositions'
  | 'executionHistory'
  /** Presigning uploads into the media bucket (PutObject under `media/`). */
  | 'mediaUploads'
  /** Reading composite recordings and writing episodes (under `recordings/`). */
  | 'recordings'
  /** A track's upload: claiming it (PutObjectTagging) and deleting it with the track (DeleteObject), under `media/`. */
  | 'trackMedia'
  /** Putting events of the system (source TRACK_EVENT_SOURCE) on the default event bus. */
  | 'trackEvents'
  /** The account's IVS composition quota, which caps the live sessions of the whole deployment. */
  | 'compositionQuota'
  /** The warm pool of controllers: its size, and asking its function to refill it (an asynchronous invoke). */
  | 'warmPool';

/** Environment variables each binding sets. */
export const BINDING_ENV: Record<Binding, readonly string[]> = {
  sessionsTable: [ENV.sessionsTable],
  idempotencyTable: [ENV.idempotencyTable],
  mediaBucket: [ENV.mediaBucket],
  stateMachine: [ENV.stateMachineArn],
  controllerTask: [ENV.clusterName, ENV.taskDefinition, ENV.subnets, ENV.securityGroups, ENV.assignPublicIp],
  commandQueues: [ENV.dlqArn],
  stages: [],
  compositions: [ENV.storageConfigurationArn, ENV.encoderConfigurationArn],
  executionHistory: [ENV.stateMachineArn],
  mediaUploads: [ENV.mediaBucket],
  recordings: [ENV.mediaBucket],
  trackMedia: [ENV.mediaBucket],
  trackEvents: [],
  compositionQuota: [ENV.compositionQuota],
  warmPool: [ENV.warmPoolSize, ENV.warmPoolFunction],
};

export interface FunctionSpec {
  role: FunctionRole;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  timeoutSeconds: number;
  memoryMiB: number;
  bindings: readonly Binding[];
  /** A folder of the repository shipped inside the function's bundle (the console's built files), and the command that builds it. */
  bundledDirectory?: BundledDirectory;
  /** A native program shipped beside the bundle (ffmpeg): the function then runs on that program's architecture. */
  bundledBinary?: BundledBinary;
}

/** An executable of an npm package copied next to the bundle's handler, as `name`. */
export interface BundledBinary {
  /** Path under node_modules of the executable built for Lambda's x86_64 Linux. */
  from: string;
  name: string;
  architecture: 'x86_64';
}

/** A folder copied into a function's bundle: `from` (relative to the repository root) to `to` (relative to the bundle). */
export interface BundledDirectory {
  from: string;
  to: string;
  /** Run in the repository root before bundling; builds `from` when it is missing or stale. */
  buildCommand: string;
}

export const FUNCTIONS: readonly FunctionSpec[] = [
  // API
  { role: 'createSession', entry: 'functions/api/create-session.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'idempotencyTable', 'stateMachine', 'compositionQuota'] },
  { role: 'getSession', entry: 'functions/api/get-session.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable'] },
  { role: 'endSession', entry: 'functions/api/end-session.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'executionHistory'] },
  { role: 'createParticipantToken', entry: 'functions/api/create-participant-token.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'stages'] },
  { role: 'enqueueCommand', entry: 'functions/api/enqueue-command.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'idempotencyTable', 'commandQueues', 'mediaBucket'] },
  { role: 'getCommand', entry: 'functions/api/get-command.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable'] },
  { role: 'createMediaUpload', entry: 'functions/api/create-media-upload.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'mediaUploads'] },
  // Builds the episode on first request: streams the recording's segments into one object (HTTP API waits 30 s at most).
  { role: 'getRecording', entry: 'functions/api/get-recording.ts', timeoutSeconds: 120, memoryMiB: 512, bindings: ['sessionsTable', 'recordings'] },
  // Presigns a GET of each track's upload (the console's cue): GetObject on media.
  { role: 'listTracks', entry: 'functions/api/list-tracks.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'mediaBucket'] },
  { role: 'createTrack', entry: 'functions/api/create-track.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'mediaBucket', 'trackMedia', 'trackEvents'] },
  { role: 'deleteTrack', entry: 'functions/api/delete-track.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'trackMedia'] },
  { role: 'getRunOfShow', entry: 'functions/api/get-run-of-show.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable'] },
  { role: 'editRunOfShow', entry: 'functions/api/edit-run-of-show.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable'] },
  // Reads the recording's playlist for the show clock's origin (its first sample's wall-clock time).
  { role: 'getAsRun', entry: 'functions/api/get-as-run.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'recordings'] },
  { role: 'getChapters', entry: 'functions/api/get-chapters.ts', timeoutSeconds: 10, memoryMiB: 256, bindings: ['sessionsTable', 'recordings'] },
  // The host console's static files, bundled with the function (CONSOLE_DIST_DIR).
  {
    role: 'serveConsole',
    entry: 'functions/api/serve-console.ts',
    timeoutSeconds: 10,
    memoryMiB: 256,
    bindings: [],
    bundledDirectory: { from: CONSOLE_DIST_DIR, to: 'console', buildCommand: 'node scripts/build-console.mjs' },
  },
  // Steps of the state machine
  { role: 'createStage', entry: 'functions/steps/create-stage.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'stages', 'commandQueues'] },
  { role: 'startController', entry: 'functions/steps/start-controller.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'controllerTask', 'warmPool'] },
  { role: 'goLive', entry: 'functions/steps/go-live.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'compositions', 'mediaBucket'] },
  { role: 'controllerLost', entry: 'functions/steps/controller-lost.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'controllerTask'] },
  { role: 'teardown', entry: 'functions/steps/teardown.ts', timeoutSeconds: 60, memoryMiB: 256, bindings: ['sessionsTable', 'controllerTask', 'commandQueues', 'stages', 'compositions'] },
  // EventBridge targets
  { role: 'controllerStopped', entry: 'functions/events/controller-stopped.ts', timeoutSeconds: 30, memoryMiB: 256, bindings: ['sessionsTable', 'executionHistory', 'warmPool'] },
  // Keeps the warm pool at its size (schedule, after each claim and each pool controller's stop); drains it when the stack goes.
  { role: 'warmPool', entry: 'functions/events/warm-pool.ts', timeoutSeconds: 60, memoryMiB: 256, bindings: ['sessionsTable', 'controllerTask', 'warmPool'] },
  // Measures a new track's loudness with ffmpeg (EBU R128); an hour of audio takes well under a minute.
  {
    role: 'measureTrack',
    entry: 'functions/events/measure-track.ts',
    timeoutSeconds: 300,
    memoryMiB: 1024,
    bindings: ['sessionsTable', 'mediaBucket'],
    bundledBinary: { from: '@ffmpeg-installer/linux-x64/ffmpeg', name: 'ffmpeg', architecture: 'x86_64' },
  },
];

export function functionSpec(role: FunctionRole): FunctionSpec {
  const spec = FUNCTIONS.find((f) => f.role === role);
  if (!spec) throw new Error(`No function spec for ${role}`);
  return spec;
}

/** What a Track Created event carries. */
export interface TrackCreatedDetail {
  hostId: string;
  trackId: string;
  programUrl: string;
}

/** The EventBridge pattern of the track-created rule. */
export function trackCreatedPattern() {
  return { source: [TRACK_EVENT_SOURCE], 'detail-type': [TRACK_CREATED_DETAIL_TYPE] };
}

/** The EventBridge pattern of the controller-stopped rule (ECS task of our family, STOPPED). */
export function controllerStoppedPattern(clusterArn: string, taskDefinitionFamily: string) {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      clusterArn: [clusterArn],
      lastStatus: ['STOPPED'],
      group: [`family:${taskDefinitionFamily}`],
    },
  };
}
