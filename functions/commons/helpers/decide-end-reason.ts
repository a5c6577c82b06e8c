/**
 * Decides how a session ended from the state Teardown receives (and whether the host asked to end it):
 * ENDED for the host's end and the maximum duration, FAILED with the reason otherwise.
 */
import { CLEAN_END_REASONS, STEP_ERRORS, type EndReason } from '#contract/index';
import { redactSecrets } from './redact-secrets.ts';

/** The parts of the execution state Teardown looks at. */
export interface TeardownState {
  sessionId: string;
  resources?: { stageArn?: string; queueUrl?: string };
  controller?: { taskArn?: string };
  onAir?: { compositionArn?: string; timeoutSeconds?: number };
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

/** Longest reasonDetail kept on the record. */
const MAX_DETAIL_LENGTH = 500;

/** Decides status and reason. */
export function decideEndReason(state: TeardownState, endRequested: boolean): EndDecision {
  const reason = reasonOf(state, endRequested);
  const status = CLEAN_END_REASONS.includes(reason) ? 'ENDED' : 'FAILED';
  if (status === 'ENDED') return { status, reason };
  const failure = state.error ?? (reason === 'CONTROLLER_LOST' ? state.loss : undefined);
  const detail = failure ? detailOf(failure) : undefined;
  return detail ? { status, reason, reasonDetail: detail } : { status, reason };
}

function reasonOf(state: TeardownState, endRequested: boolean): EndReason {
  if (state.ended?.reason === 'ENDED_BY_HOST') return 'ENDED_BY_HOST';
  const error = state.error?.Error;
  if (error === STEP_ERRORS.SessionEnded || endRequested) return 'ENDED_BY_HOST';
  if (error === 'States.Timeout') return state.onAir ? 'MAX_DURATION' : 'CONTROLLER_NOT_READY';
  if (error === STEP_ERRORS.ControllerStopped) return 'CONTROLLER_STOPPED';
  if (error === STEP_ERRORS.ControllerFailed) return 'CONTROLLER_FAILED';
  if (!error && state.recovery?.replace === false) return 'CONTROLLER_LOST';
  return 'STEP_FAILED';
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
