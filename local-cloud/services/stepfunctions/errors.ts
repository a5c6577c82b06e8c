/**
 * Errors named exactly as ASL matches them: an error's `name` is what Retry and Catch compare with
 * ErrorEquals, and `stateCause` is the Cause a Catch hands on.
 */
import { STATES_ERRORS } from './constants.ts';

/** An error raised inside an execution (by a state, a task, a timeout). */
export class StatesError extends Error {
  /** The Cause Step Functions records next to the error name. */
  readonly stateCause: string;

  constructor(errorName: string, stateCause: string, options?: ErrorOptions) {
    super(stateCause, options);
    this.name = errorName;
    this.stateCause = stateCause;
  }
}

/**
 * A task ran longer than its TimeoutSeconds, a callback task received no heartbeat within its
 * HeartbeatSeconds, or an execution ran longer than its own limit. AWS records a missed heartbeat with this
 * same error name (`TaskTimedOut`, `States.Timeout`), not `States.HeartbeatTimeout`: only the Cause differs.
 */
export class StatesTimeoutError extends StatesError {
  constructor(cause = '') {
    super(STATES_ERRORS.Timeout, cause);
  }
}

/** The execution could not go on (a path matched nothing, a value had the wrong type); never caught. */
export class StatesRuntimeError extends StatesError {
  constructor(cause: string, options?: ErrorOptions) {
    super(STATES_ERRORS.Runtime, cause, options);
  }
}

/** A Choice state matched no rule and has no Default. */
export class StatesNoChoiceMatchedError extends StatesError {
  constructor(cause: string) {
    super(STATES_ERRORS.NoChoiceMatched, cause);
  }
}

/** An intrinsic function failed (bad arguments, unparsable call). */
export class StatesIntrinsicFailureError extends StatesError {
  constructor(cause: string, options?: ErrorOptions) {
    super(STATES_ERRORS.IntrinsicFailure, cause, options);
  }
}

/** ResultPath could not be applied to the state's input. */
export class StatesResultPathMatchFailureError extends StatesError {
  constructor(cause: string) {
    super(STATES_ERRORS.ResultPathMatchFailure, cause);
  }
}

/** A task resource failed; `errorName` is what the integration reports (`Shelcaster.Transient`, `SQS.SdkClientException`). */
export class TaskResourceError extends StatesError {
  constructor(errorName: string, cause: string, options?: ErrorOptions) {
    super(errorName, cause, options);
  }
}

/** Any error thrown inside an execution, as a StatesError (`fallbackName` for errors that are not one). */
export function asStatesError(error: unknown, fallbackName: string = STATES_ERRORS.Runtime): StatesError {
  if (error instanceof StatesError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StatesError(fallbackName, message, { cause: error });
}
