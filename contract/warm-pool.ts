/**
 * The warm pool of program controllers: idle controller tasks, already running Chromium with the program
 * page loaded, that StartController claims instead of waiting out a Fargate start (docs/architecture.md,
 * "The warm pool"). Its size, timings, names and records, in one place for CDK, the functions, the
 * controller and the local cloud.
 */
import type { SessionsTableKey } from './records.ts';

/** RunTask's `startedBy` of every pool controller (a claimed one keeps it: ECS cannot change it). */
export const WARM_POOL_STARTED_BY = 'shelcaster-warm-pool';

/**
 * Idle controllers kept, by default: 2 on AWS (CDK context `warmPoolSize`), 1 locally
 * (`SHELCASTER_WARM_POOL_SIZE`). 0 turns the pool off (every start runs a task).
 */
export const WARM_POOL_SIZE = { aws: 2, local: 1 } as const;

/** The largest pool a deployment may ask for. */
export const MAX_WARM_POOL_SIZE = 20;

/** An idle controller is stopped after this long, so none runs on an old image or old credentials for ever. */
export const WARM_CONTROLLER_LIFETIME_SECONDS = 60 * 60;

/** A claim leaves at least this much of an idle controller's lifetime (one claimed at its very end would be retired under it). */
export const WARM_CONTROLLER_CLAIM_MARGIN_SECONDS = 60;

/** How often an idle controller reads its pool record (the hand-off's latency). */
export const WARM_CONTROLLER_POLL_MS = 200;

/** How often an idle controller says it is alive (its record's `seenAt`). */
export const WARM_CONTROLLER_SEEN_SECONDS = 5;

/** A controller not seen for this long is never claimed (it may have died without ECS telling yet). */
export const WARM_CONTROLLER_FRESH_SECONDS = 20;

/** A pool controller that finds no record of itself for this long (its refill failed after RunTask) stops itself. */
export const WARM_CONTROLLER_UNRECORDED_SECONDS = 60;

/** A controller still STARTING after this long (stuck in Fargate's start or Chromium's) is stopped and replaced. */
export const WARM_CONTROLLER_START_LIMIT_SECONDS = 10 * 60;

/** The refill's schedule (EventBridge), besides the refill after each claim and each pool controller's stop. */
export const WARM_POOL_REFILL_SCHEDULE = 'rate(1 minute)';

/** One refill at a time: the lease it holds (a refill that dies frees it after this long). */
export const WARM_POOL_REFILL_LEASE_SECONDS = 60;

/** The EventBridge rule that refills the pool on WARM_POOL_REFILL_SCHEDULE. */
export const WARM_POOL_REFILL_RULE_NAME = 'shelcaster-warm-pool-refill';

/**
 * A pool controller's life: STARTING (RunTask made) → IDLE (its page loaded; it says so) → CLAIMED (a
 * session's, by one conditional write, for ever) — or RETIRED (stopped at its lifetime's end or when the pool
 * shrinks; never claimed again). A record whose task is gone is deleted.
 */
export type WarmControllerState = 'STARTING' | 'IDLE' | 'CLAIMED' | 'RETIRED';

/** What a claimed controller is told: its session (no token). */
export interface WarmControllerAssignment {
  sessionId: string;
  stageArn: string;
  queueUrl: string;
  /** The session's controllerRestarts at this start (as CONTROLLER_GENERATION for a task run for the session). */
  generation: number;
}

/** A pool controller (pk WARM_POOL_PARTITION, sk `TASK#<taskArn>`), in the sessions table. */
export interface WarmControllerRecord {
  taskArn: string;
  state: WarmControllerState;
  /** When RunTask started it (ISO). */
  startedAt: string;
  /** When it last said it is alive and idle (ISO). */
  seenAt?: string;
  /** When it first said it was idle, its page loaded (ISO). */
  idleSince?: string;
  claimedAt?: string;
  /** The session it serves, once CLAIMED. */
  assignment?: WarmControllerAssignment;
}

/** The partition of the pool's records. */
export const WARM_POOL_PARTITION = 'POOL#CONTROLLERS';

export const warmControllerKey = (taskArn: string): SessionsTableKey => ({ pk: WARM_POOL_PARTITION, sk: `TASK#${taskArn}` });

/** The refill's lease (pk `POOL#REFILL`, sk `LEASE`): `holder`, `until` (epoch ms). */
export const WARM_POOL_REFILL_LEASE_KEY: SessionsTableKey = { pk: 'POOL#REFILL', sk: 'LEASE' };

/** Why the pool function runs (its asynchronous invocations; the schedule sends EventBridge's Scheduled Event). */
export type WarmPoolRefillReason = 'claimed' | 'controller-stopped';
