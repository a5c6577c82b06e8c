/**
 * Decides how a session ended from the state Teardown receives, whether the host asked to end it, and the
 * show's clock: ENDED for the host's end and the maximum duration, FAILED with the reason otherwise.
 *
 * A timeout while on air is the maximum show length only when the clock has reached the show's end time
 * (`endsAt`); before it, the controller stopped heartbeating. AWS records both as `States.Timeout` (a missed
 * heartbeat is not `States.HeartbeatTimeout` there), so the error's name cannot tell them apart.
 */
import { CLEAN_END_REASONS, STEP_ERRORS, type EndReason } from '#contract/index';
import { redactSecrets } from './redact-secrets.ts';

/** The parts of the execution state Teardown looks at. */
export interface TeardownState {
  sessionId: string;
  resources?: { stageArn?: string; queueUrl?: string };
  controller?: { taskArn?: string };
  onAir?: { compositionArn?: string; timeoutSeconds?: number; endsAt?: string };
  ended?: { reason?: string };
  error?: { Error?: string; Cause?: string };
  loss?: { Error?: string; Cause?: string };
  recovery?: { replace?: boolean; restarts?: number };
}

export interface EndDecision {
  status: 'ENDED' | 'FAILED';
  reason: EndReason;
  reasonDetail?: string;
}

/** What Teardown knows beside the execution state: the session record's end request and end time, and now. */
export interface EndFacts {
  endRequested: boolean;
  /** The show's end time (ISO) as GoLive recorded it; the state's `onAir.endsAt` when the record has none. */
  endsAt?: string;
  now: Date;
}

/** Longest reasonDetail kept on the record. */
const MAX_DETAIL_LENGTH = 500;

/** Decides status and reason. */
export function decideEndReason(state: TeardownState, facts: EndFacts): EndDecision {
  const reason = reasonOf(state, facts);
  const status = CLEAN_END_REASONS.includes(reason) ? 'ENDED' : 'FAILED';
  if (status === 'ENDED') return { status, reason };
  const failure = state.error ?? (reason === 'CONTROLLER_LOST' || reason === 'CONTROLLER_STOPPED' ? state.loss : undefined);
  const detail = failure ? detailOf(failure) : undefined;
  return detail ? { status, reason, reasonDetail: detail } : { status, reason };
}

function reasonOf(state: TeardownState, facts: EndFacts): EndReason {
  if (state.ended?.reason === 'ENDED_BY_HOST') return 'ENDED_BY_HOST';
  const error = state.error?.Error;
  if (error === STEP_ERRORS.SessionEnded || facts.endRequested) return 'ENDED_BY_HOST';
  if (!error && state.recovery?.replace === false) {
    // Out of replacements before the show went live, the last controller having stopped before it was ready.
    return !state.onAir && state.loss?.Error === STEP_ERRORS.ControllerStopped ? 'CONTROLLER_STOPPED' : 'CONTROLLER_LOST';
  }
  // OnAir's timeouts reach Teardown as `loss` (through OnAirTimedOut), the other states' as `error`.
  const failure = error ?? state.loss?.Error;
  if (failure === STATES_TIMEOUT || failure === STATES_HEARTBEAT_TIMEOUT) {
    if (!state.onAir) return 'CONTROLLER_NOT_READY';
    return showClockReachedEnd(facts.endsAt ?? state.onAir.endsAt, facts.now) ? 'MAX_DURATION' : 'CONTROLLER_LOST';
  }
  if (error === STEP_ERRORS.ControllerFailed) return 'CONTROLLER_FAILED';
  return 'STEP_FAILED';
}

const STATES_TIMEOUT = 'States.Timeout';
/** Never raised by AWS (a missed heartbeat is States.Timeout there); an older engine raised it. */
const STATES_HEARTBEAT_TIMEOUT = 'States.HeartbeatTimeout';

/** Whether `now` is at or after the show's end time; without an end time nothing says the show ran its length. */
function showClockReachedEnd(endsAt: string | undefined, now: Date): boolean {
  const end = endsAt === undefined ? Number.NaN : Date.parse(endsAt);
  return Number.isFinite(end) && now.getTime() >= end;
}

function detailOf(failure: { Error?: string; Cause?: string }): string | undefined {
  const text = [failure.Error, causeMessage(failure.Cause)].filter(Boolean).join(': ');
  return text ? redactSecrets(text).slice(0, MAX_DETAIL_LENGTH) : undefined;
}

/** A Lambda error's Cause is a JSON document; keep only its message (no stack trace). */
function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a plain text cause
  }
  return cause;
}
