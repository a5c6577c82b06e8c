/**
 * Every Lambda function of the contract's FUNCTIONS, each a ShelcasterFunction with its bindings applied
 * (one bind method per Binding, chosen through an exhaustive map).
 */
import { Construct } from 'constructs';
import { FUNCTIONS, FUNCTION_NAMES, type Binding, type FunctionRole } from '#contract/index';
import type { CommandQueues } from './command-queues.ts';
import type { ControllerTaskTarget } from './controller-service.ts';
import type { IdempotencyTable } from './idempotency-table.ts';
import type { IvsRecording } from './ivs-recording.ts';
import type { MediaBucket } from './media-bucket.ts';
import type { SessionsTable } from './sessions-table.ts';
import { ShelcasterFunction } from './shelcaster-function.ts';

export interface FunctionsProps {
  /** Absolute path of the repository root. */
  root: string;
  sessions: SessionsTable;
  idempotency: IdempotencyTable;
  media: MediaBucket;
  queues: CommandQueues;
  controller: ControllerTaskTarget;
  recording: IvsRecording;
  /** Idle controllers the warm pool keeps (0: none). */
  warmPoolSize: number;
}

/** Construct id of a role's function (`createSession` → `CreateSession`). */
const constructId = (role: FunctionRole): string => role.charAt(0).toUpperCase() + role.slice(1);

export class Functions extends Construct {
  readonly byRole: Readonly<Record<FunctionRole, ShelcasterFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const binders: Record<Binding, (fn: ShelcasterFunction) => void> = {
      sessionsTable: (fn) => fn.bindSessionsTable(props.sessions),
      idempotencyTable: (fn) => fn.bindIdempotencyTable(props.idempotency),
      mediaBucket: (fn) => fn.bindMediaBucket(props.media),
      stateMachine: (fn) => fn.bindStateMachine(),
      executionHistory: (fn) => fn.bindExecutionHistory(),
      controllerTask: (fn) => fn.bindControllerTask(props.controller),
      commandQueues: (fn) => fn.bindCommandQueues(props.queues),
      stages: (fn) => fn.bindStages(),
      compositions: (fn) => fn.bindCompositions(props.recording),
      mediaUploads: (fn) => fn.bindMediaUploads(props.media),
      recordings: (fn) => fn.bindRecordings(props.media),
      trackMedia: (fn) => fn.bindTrackMedia(props.media),
      trackEvents: (fn) => fn.bindTrackEvents(),
      compositionQuota: (fn) => fn.bindCompositionQuota(),
      warmPool: (fn) => fn.bindWarmPool(props.warmPoolSize),
    };
    const byRole: Partial<Record<FunctionRole, ShelcasterFunction>> = {};
    for (const spec of FUNCTIONS) {
      const fn = new ShelcasterFunction(this, constructId(spec.role), { spec, root: props.root });
      for (const binding of spec.bindings) binders[binding](fn);
      byRole[spec.role] = fn;
    }
    this.byRole = completeByRole(byRole);
  }
}

/** Thrown when FUNCTIONS lacks an entry for a role of FUNCTION_NAMES. */
export class MissingFunctionError extends Error {
  constructor(role: string) {
    super(`FUNCTIONS has no entry for the role ${role}`);
    this.name = 'MissingFunctionError';
  }
}

/** The functions by role, checked to hold every role of FUNCTION_NAMES. */
function completeByRole(partial: Partial<Record<FunctionRole, ShelcasterFunction>>): Record<FunctionRole, ShelcasterFunction> {
  for (const role of Object.keys(FUNCTION_NAMES)) {
    if (!(role in partial)) throw new MissingFunctionError(role);
  }
  return partial as Record<FunctionRole, ShelcasterFunction>; // every role checked just above
}
