/**
 * Errors of the program controller. One base class; the subclasses say what failed.
 */

/** Base of every controller error. */
export class ControllerError extends Error {
  /** What the operator may read in the controller's log but the host must not see (addresses, raw causes). */
  readonly detail?: string;

  constructor(message: string, options?: ControllerErrorOptions) {
    super(message, options);
    this.name = 'ControllerError';
    if (options?.detail !== undefined) this.detail = options.detail;
  }
}

export interface ControllerErrorOptions {
  cause?: unknown;
  /** Logged, never recorded as the command's reason. */
  detail?: string;
}

/** The controller could not join the stage (browser, page, transport or token). */
export class JoinFailedError extends ControllerError {
  constructor(message: string, options?: ControllerErrorOptions) {
    super(message, options);
    this.name = 'JoinFailedError';
  }
}

/** A command that cannot succeed however often it is retried (it is reported FAILED). */
export class CommandRejectedError extends ControllerError {
  constructor(message: string, options?: ControllerErrorOptions) {
    super(message, options);
    this.name = 'CommandRejectedError';
  }
}

/** A media URL or its content was refused by policy or limits. */
export class MediaRefusedError extends CommandRejectedError {
  constructor(message: string, options?: ControllerErrorOptions) {
    super(message, options);
    this.name = 'MediaRefusedError';
  }
}
