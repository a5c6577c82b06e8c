/** HTTP errors of GET /sessions/{id}/recording. */
import { RECORDING_RETRY_AFTER_SECONDS } from '#contract/index';
import { HttpError } from './errors.ts';

/** 409: the recording is not ready yet (the show is on, or its recording has not been closed); retry later. */
export class RecordingNotReadyError extends HttpError {
  constructor(message: string, retryAfterSeconds = RECORDING_RETRY_AFTER_SECONDS) {
    super(409, 'RECORDING_NOT_READY', message, { headers: { 'retry-after': String(retryAfterSeconds) } });
    this.name = 'RecordingNotReadyError';
  }
}

/** 404: the session ended without a recording (it never went live, or nothing was recorded). */
export class RecordingNotFoundError extends HttpError {
  constructor(message = 'The session has no recording.') {
    super(404, 'NOT_FOUND', message);
    this.name = 'RecordingNotFoundError';
  }
}
