/**
 * The trace of a session, computed from what the APIs return: the execution (DescribeExecution), its history
 * events (GetExecutionHistory), the session record and its command records (DynamoDB) and the controller's
 * log lines (CloudWatch Logs). Pure: no I/O, no clock.
 */
import type { DescribeExecutionOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import type { CommandRecord, SessionRecord } from '#contract/index';
import { CONTROLLER_HEARTBEAT_LOG, STATES } from '#contract/index';

/** What became of one visit of a state. */
export type StateOutcome = 'succeeded' | 'caught' | 'failed' | 'running' | 'aborted';

/** One failed attempt of a task (a TaskFailed, TaskTimedOut, ... event). */
export interface AttemptFailure {
  at: string;
  error: string;
  cause: string;
}

/** One visit of a state, from its StateEntered to its StateExited (or the end of the execution). */
export interface StateVisit {
  name: string;
  /** Task, Choice, Pass, Wait, Succeed, Fail (from the event type). */
  kind: string;
  enteredAt: string;
  exitedAt?: string;
  durationMs?: number;
  /** Tasks scheduled in this visit (1 + retries) ; 0 for states without a task. */
  attempts: number;
  /** Attempts made again after a failure (a failure followed by a new TaskScheduled in the same visit). */
  retries: number;
  failures: AttemptFailure[];
  outcome: StateOutcome;
  /** The error and cause that ended the visit, when it did not succeed. */
  error?: string;
  cause?: string;
  /** The id of the StateEntered event. */
  eventId: number;
}

/** A controller the state machine lost (an entry of ControllerLost) and what was made of it. */
export interface ControllerLoss {
  at: string;
  error?: string;
  cause?: string;
}

/** A command of the session with its latency. */
export interface CommandTrace {
  commandId: string;
  type: string;
  status: string;
  acceptedAt: string;
  appliedAt?: string;
  /** acceptedAt → appliedAt, when applied. */
  latencyMs?: number;
  reason?: string;
  attempts?: number;
}

/** A log line of the controller, as CloudWatch Logs returns it. */
export interface ControllerLogLine {
  timestamp: number;
  message: string;
}

export interface SessionTrace {
  sessionId: string;
  executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED. */
  status: string;
  startedAt: string;
  stoppedAt?: string;
  durationMs?: number;
  /** The execution's error and cause, and the state it failed in, when it did not succeed. */
  failure?: { error?: string; cause?: string; state?: string };
  states: StateVisit[];
  retries: number;
  /** Heartbeats as the controller logged them; null when its log could not be read. */
  heartbeats: { sent: number; failed: number } | null;
  controller: { restarts: number; losses: ControllerLoss[] };
  session: {
    title?: string;
    status: string;
    reason?: string;
    reasonDetail?: string;
    createdAt?: string;
    liveAt?: string;
    endedAt?: string;
  } | null;
  commands: CommandTrace[];
}

export interface TraceInput {
  sessionId: string;
  execution: Pick<DescribeExecutionOutput, 'executionArn' | 'status' | 'startDate' | 'stopDate' | 'error' | 'cause'>;
  events: readonly HistoryEvent[];
  session?: SessionRecord | undefined;
  commands?: readonly CommandRecord[];
  /** The controller's log lines of this session; undefined when they could not be read. */
  controllerLog?: readonly ControllerLogLine[] | undefined;
}

/** Event types that schedule an attempt of a task. */
const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);

/** Event types that end an attempt of a task with a failure, and where their error and cause are. */
const FAILURE_DETAILS: Record<string, keyof HistoryEvent> = {
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  ActivityFailed: 'activityFailedEventDetails',
  ActivityTimedOut: 'activityTimedOutEventDetails',
  ActivityScheduleFailed: 'activityScheduleFailedEventDetails',
};

/** Event types that end an execution, and where their error and cause are. */
const EXECUTION_END_DETAILS: Record<string, keyof HistoryEvent | undefined> = {
  ExecutionSucceeded: undefined,
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
};

const iso = (date: Date | undefined): string | undefined => (date ? new Date(date).toISOString() : undefined);
const ms = (date: Date | undefined): number => (date ? new Date(date).getTime() : Number.NaN);

function errorOf(event: HistoryEvent, key: keyof HistoryEvent | undefined): { error?: string; cause?: string } {
  if (!key) return {};
  const details = event[key] as { error?: string; cause?: string } | undefined;
  return {
    ...(details?.error !== undefined ? { error: details.error } : {}),
    ...(details?.cause !== undefined ? { cause: details.cause } : {}),
  };
}

/** The state visits of a history, in the order they were entered. */
export function stateVisits(events: readonly HistoryEvent[]): StateVisit[] {
  const visits: StateVisit[] = [];
  let open: StateVisit | undefined;
  let lastAttemptFailed = false;
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const event of sorted) {
    const type = event.type ?? '';
    const at = iso(event.timestamp) ?? '';
    if (type.endsWith('StateEntered')) {
      open = {
        name: event.stateEnteredEventDetails?.name ?? '?',
        kind: type.slice(0, -'StateEntered'.length),
        enteredAt: at,
        attempts: 0,
        retries: 0,
        failures: [],
        outcome: 'running',
        eventId: event.id ?? 0,
      };
      lastAttemptFailed = false;
      visits.push(open);
      // A Fail state has no exit: entering it is failing.
      if (open.kind === 'Fail') open.outcome = 'failed';
      continue;
    }
    if (!open) continue;
    if (SCHEDULED.has(type)) {
      open.attempts += 1;
      if (lastAttemptFailed) open.retries += 1;
      lastAttemptFailed = false;
    } else if (type in FAILURE_DETAILS) {
      const { error = '', cause = '' } = errorOf(event, FAILURE_DETAILS[type]);
      open.failures.push({ at, error, cause });
      lastAttemptFailed = true;
    } else if (type.endsWith('StateExited')) {
      open.exitedAt = at;
      open.durationMs = ms(event.timestamp) - Date.parse(open.enteredAt);
      const last = open.failures.at(-1);
      if (lastAttemptFailed && last) {
        open.outcome = 'caught';
        open.error = last.error;
        open.cause = last.cause;
      } else {
        open.outcome = 'succeeded';
      }
      open = undefined;
    } else if (type.endsWith('StateAborted')) {
      open.outcome = 'aborted';
      open.exitedAt = at;
      open.durationMs = ms(event.timestamp) - Date.parse(open.enteredAt);
      open = undefined;
    } else if (type in EXECUTION_END_DETAILS) {
      const ended = errorOf(event, EXECUTION_END_DETAILS[type]);
      if (type === 'ExecutionSucceeded') open.outcome = 'succeeded';
      else if (open.outcome !== 'failed') open.outcome = type === 'ExecutionAborted' ? 'aborted' : 'failed';
      open.exitedAt ??= at;
      open.durationMs ??= ms(event.timestamp) - Date.parse(open.enteredAt);
      const last = open.failures.at(-1);
      const error = ended.error ?? last?.error;
      const cause = ended.cause ?? last?.cause;
      if (open.outcome !== 'succeeded') {
        if (error !== undefined) open.error = error;
        if (cause !== undefined) open.cause = cause;
      }
      open = undefined;
    }
  }
  return visits;
}

/** The heartbeats the controller logged (sent and failed), from its JSON log lines. */
export function countHeartbeats(lines: readonly ControllerLogLine[]): { sent: number; failed: number } {
  let sent = 0;
  let failed = 0;
  for (const line of lines) {
    let message: unknown;
    try {
      message = (JSON.parse(line.message) as { message?: unknown }).message;
    } catch {
      continue;
    }
    if (message === CONTROLLER_HEARTBEAT_LOG.sent) sent += 1;
    else if (message === CONTROLLER_HEARTBEAT_LOG.failed) failed += 1;
  }
  return { sent, failed };
}

/** A command record with its latency. */
export function commandTrace(record: CommandRecord): CommandTrace {
  const latency = record.appliedAt ? Date.parse(record.appliedAt) - Date.parse(record.acceptedAt) : undefined;
  return {
    commandId: record.commandId,
    type: record.command.type,
    status: record.status,
    acceptedAt: record.acceptedAt,
    ...(record.appliedAt ? { appliedAt: record.appliedAt } : {}),
    ...(latency !== undefined && Number.isFinite(latency) ? { latencyMs: latency } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.attempts !== undefined ? { attempts: record.attempts } : {}),
  };
}

/** The whole trace of a session. */
export function buildTrace(input: TraceInput): SessionTrace {
  const states = stateVisits(input.events);
  const losses: ControllerLoss[] = states
    .filter((visit) => visit.name === STATES.ControllerLost)
    .map((visit) => {
      // The loss is what ended the visit before it (OnAir, ReplaceController or WaitForReplacementReady).
      const before = states[states.indexOf(visit) - 1];
      return {
        at: visit.enteredAt,
        ...(before?.error !== undefined ? { error: before.error } : {}),
        ...(before?.cause !== undefined ? { cause: before.cause } : {}),
      };
    });
  const replacements = states.filter((visit) => visit.name === STATES.ReplaceController).length;
  const execution = input.execution;
  const startedAt = iso(execution.startDate) ?? '';
  const stoppedAt = iso(execution.stopDate);
  const status = execution.status ?? 'UNKNOWN';
  const failedIn = [...states].reverse().find((visit) => visit.outcome === 'failed' || visit.outcome === 'aborted');
  const failure =
    status !== 'RUNNING' && status !== 'SUCCEEDED'
      ? {
          ...(execution.error !== undefined ? { error: execution.error } : {}),
          ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
          ...(failedIn ? { state: failedIn.name } : {}),
        }
      : undefined;
  const session = input.session;
  return {
    sessionId: input.sessionId,
    executionArn: execution.executionArn ?? '',
    status,
    startedAt,
    ...(stoppedAt ? { stoppedAt, durationMs: ms(execution.stopDate) - ms(execution.startDate) } : {}),
    ...(failure ? { failure } : {}),
    states,
    retries: states.reduce((sum, visit) => sum + visit.retries, 0),
    heartbeats: input.controllerLog ? countHeartbeats(input.controllerLog) : null,
    controller: { restarts: Math.max(session?.controllerRestarts ?? 0, replacements), losses },
    session: session
      ? {
          title: session.title,
          status: session.status,
          ...(session.reason ? { reason: session.reason } : {}),
          ...(session.reasonDetail ? { reasonDetail: session.reasonDetail } : {}),
          createdAt: session.createdAt,
          ...(session.liveAt ? { liveAt: session.liveAt } : {}),
          ...(session.endedAt ? { endedAt: session.endedAt } : {}),
        }
      : null,
    commands: [...(input.commands ?? [])].map(commandTrace).sort((a, b) => a.acceptedAt.localeCompare(b.acceptedAt)),
  };
}
