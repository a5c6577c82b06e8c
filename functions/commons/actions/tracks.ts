/**
 * The host's Program Manager tracks: registering an uploaded file under a title (its programUrl checked as
 * PLAY_MEDIA checks it, and an upload must be the caller's own), listing and deleting them.
 */
import { randomUUID } from 'node:crypto';
import { MAX_TRACKS_PER_HOST, type CreateTrackBody, type TrackRecord, type TrackView } from '#contract/index';
import { assertMediaUrlAllowed } from '../assert-media-url-allowed.ts';
import { ConflictError, HttpError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { deleteHostTrack, listHostTracks, putNewTrack } from '../tracks-repository.ts';

/** 404: the caller has no track with this id. */
export class TrackNotFoundError extends HttpError {
  constructor() {
    super(404, 'NOT_FOUND', 'The track was not found.');
    this.name = 'TrackNotFoundError';
  }
}

/** Registers a track for the host (its programUrl checked as PLAY_MEDIA's is); 409 when the host already keeps MAX_TRACKS_PER_HOST. */
export async function createTrack(hostId: string, body: CreateTrackBody, mediaBucket: string, now = new Date()): Promise<TrackRecord> {
  assertMediaUrlAllowed(body.programUrl, hostId, mediaBucket);
  const existing = await listHostTracks(hostId);
  if (existing.length >= MAX_TRACKS_PER_HOST) {
    throw new ConflictError(`You already keep ${MAX_TRACKS_PER_HOST} tracks: delete one first.`);
  }
  const track: TrackRecord = { trackId: randomUUID(), hostId, ...body, createdAt: now.toISOString() };
  await putNewTrack(track);
  logger.info('Track created', { trackId: track.trackId, sizeBytes: track.sizeBytes });
  return track;
}

/** Deletes one of the host's tracks; 404 when there is none (the uploaded file stays in the bucket). */
export async function deleteTrack(hostId: string, trackId: string): Promise<void> {
  if (!(await deleteHostTrack(hostId, trackId))) throw new TrackNotFoundError();
  logger.info('Track deleted', { trackId });
}

/** The public view of a track (no owner id). */
export function trackView(track: TrackRecord): TrackView {
  return {
    trackId: track.trackId,
    title: track.title,
    programUrl: track.programUrl,
    contentType: track.contentType,
    sizeBytes: track.sizeBytes,
    createdAt: track.createdAt,
  };
}
