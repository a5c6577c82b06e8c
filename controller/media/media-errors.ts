/**
 * Why a media fetch did not give a playable file. MediaRefusedError and MediaFetchError are final for the
 * command (reported FAILED); MediaChangedError is not (the command is tried again, and reads the new version).
 */
import { CommandRejectedError, MediaRefusedError, type ControllerErrorOptions } from '../errors.ts';

export { MediaRefusedError };

/** The media could not be fetched (HTTP error, timeout, too large, wrong type). */
export class MediaFetchError extends CommandRejectedError {
  constructor(message: string, options?: ControllerErrorOptions) {
    super(message, options);
    this.name = 'MediaFetchError';
  }
}

/**
 * The media at an https URL is no longer the version a read was bound to (If-Match failed): a transient
 * failure, so the command is tried again, and the next PLAY of the URL reads the new version from the start.
 */
export class MediaChangedError extends Error {
  constructor() {
    super('the media changed at its origin while it was read');
    this.name = 'MediaChangedError';
  }
}
