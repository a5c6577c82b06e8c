/**
 * Why a media fetch did not give a playable file. Both are final for the command (reported FAILED).
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
