/**
 * Errors of the program controller. One base class; the subclasses say what failed.
 */

/** Base of every controller error. */
export class ControllerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ControllerError';
  }
}

/** The controller could not join the stage (browser, page, transport or token). */
export class JoinFailedError extends ControllerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JoinFailedError';
  }
}

/** A command that cannot succeed however often it is retried (it is reported FAILED). */
export class CommandRejectedError extends ControllerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandRejectedError';
  }
}

/** A media URL or its content was refused by policy or limits. */
export class MediaRefusedError extends CommandRejectedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaRefusedError';
  }
}
