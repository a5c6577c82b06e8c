/**
 * The host's Program Manager tracks: registering an uploaded file under a title (its programUrl checked as
 * PLAY_MEDIA checks it, and an upload must be the caller's own), listing and deleting them.
 */
import { randomUUID } from 'node:crypto';
import { checkMediaUrl, mediaOwnerPrefix, MAX_TRACKS_PER_HOST, type CreateTrackBody, type TrackRecord } from '#contract/index';
import { putTrackCreatedEvent } from '#helpers/put-track-created-event';
import { ConflictError, HttpError, ValidationFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { deleteHostTrack, listHostTracks, putNewTrack } from '../tracks-repository.ts';

/** 404: the caller has no track with this id. */
export class TrackNotFoundError extends HttpError {
  constructor() {
    super(404, 'NOT_FOUND', 'The track was not found.');
    this.name = 'TrackNotFoundError';
  }
}

/** Refuses a programUrl that PLAY_MEDIA would refuse, or an upload of another user (400). */
export function assertTrackUrlAllowed(programUrl: string, hostId: string, mediaBucket: string): void {
  const decision = checkMediaUrl(programUrl, { mediaBucket });
  const reason = !decision.allowed
    ? decision.reason
    : decision.kind === 's3' && !decision.key.startsWith(mediaOwnerPrefix(hostId))
      ? 'an s3 programUrl must name one of your own uploads'
      : undefined;
  if (reason) throw new ValidationFailedError('The programUrl is not allowed.', [{ path: 'body.programUrl', message: reason }]);
}

/** Registers a track for the host; 409 when the host already keeps MAX_TRACKS_PER_HOST. */
export async function createTrack(hostId: string, body: CreateTrackBody, mediaBucket: string, now = new Date()): Promise<TrackRecord> {
  assertTrackUrlAllowed(body.programUrl, hostId, mediaBucket);
  const existing = await listHostTracks(hostId);
  if (existing.length >= MAX_TRACKS_PER_HOST) {
    throw new ConflictError(`You already keep ${MAX_TRACKS_PER_HOST} tracks: delete one first.`);
  }
  const track: TrackRecord = { trackId: randomUUID(), hostId, ...body, createdAt: now.toISOString() };
  await putNewTrack(track);
  logger.info('Track created', { trackId: track.trackId, sizeBytes: track.sizeBytes });
  // Its loudness is measured apart (shelcaster-measure-track); a track whose event is lost plays unmeasured.
  await putTrackCreatedEvent({ hostId, trackId: track.trackId, programUrl: track.programUrl }).catch((error: unknown) =>
    logger.error('The track event was not put: its loudness will not be measured', { trackId: track.trackId, reason: (error as Error).message }),
  );
  return track;
}

/** Deletes one of the host's tracks; 404 when there is none (the uploaded file stays in the bucket). */
export async function deleteTrack(hostId: string, trackId: string): Promise<void> {
  if (!(await deleteHostTrack(hostId, trackId))) throw new TrackNotFoundError();
  logger.info('Track deleted', { trackId });
}

/** The public view of a track (no owner id). */
export function trackView(track: TrackRecord) {
  return {
    trackId: track.trackId,
    title: track.title,
    programUrl: track.programUrl,
    contentType: track.contentType,
    sizeBytes: track.sizeBytes,
    createdAt: track.createdAt,
    ...(track.loudness ? { loudness: { integratedLufs: track.loudness.integratedLufs, truePeakDbtp: track.loudness.truePeakDbtp } } : {}),
    ...(track.loudnessError ? { loudnessError: track.loudnessError } : {}),
  };
}
