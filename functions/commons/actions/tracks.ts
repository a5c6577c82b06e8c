/**
 * The host's Program Manager tracks: registering an uploaded file under a title (its programUrl checked as
 * PLAY_MEDIA checks it, and an upload must be the caller's own, already PUT: registering claims it, so the
 * bucket's lifecycle rule for unclaimed uploads keeps it), listing and deleting them (the upload's object is
 * deleted with the last track that names it).
 */
import { randomUUID } from 'node:crypto';
import { checkMediaUrl, mediaOwnerPrefix, MAX_TRACKS_PER_HOST, MEDIA_DOWNLOAD_URL_SECONDS, type CreateTrackBody, type TrackRecord, type TrackView } from '#contract/index';
import { claimUpload, deleteUpload } from '#helpers/media-objects';
import { presignDownload } from '#helpers/presign-download';
import { assertMediaUrlAllowed } from '../assert-media-url-allowed.ts';
import { putTrackCreatedEvent } from '#helpers/put-track-created-event';
import { ConflictError, HttpError, ValidationFailedError } from '../errors.ts';
import { logger } from '../powertools.ts';
import { deleteHostTrack, getHostTrack, listHostTracks, putNewTrack } from '../tracks-repository.ts';

/** 404: the caller has no track with this id. */
export class TrackNotFoundError extends HttpError {
  constructor() {
    super(404, 'NOT_FOUND', 'The track was not found.');
    this.name = 'TrackNotFoundError';
  }
}

/** The key of the caller's upload a track's programUrl names, if it names one. */
const uploadKeyOf = (track: Pick<TrackRecord, 'programUrl' | 'hostId'>, mediaBucket: string): string | undefined => {
  const decision = checkMediaUrl(track.programUrl, { mediaBucket });
  return decision.allowed && decision.kind === 's3' && decision.key.startsWith(mediaOwnerPrefix(track.hostId)) ? decision.key : undefined;
};

/**
 * Registers a track for the host and claims its upload; 409 when the host already keeps MAX_TRACKS_PER_HOST,
 * 400 when the upload it names has not been PUT.
 */
export async function createTrack(hostId: string, body: CreateTrackBody, mediaBucket: string, now = new Date()): Promise<TrackRecord> {
  const { uploadKey } = assertMediaUrlAllowed(body.programUrl, hostId, mediaBucket);
  const existing = await listHostTracks(hostId);
  if (existing.length >= MAX_TRACKS_PER_HOST) {
    throw new ConflictError(`You already keep ${MAX_TRACKS_PER_HOST} tracks: delete one first.`);
  }
  if (uploadKey && !(await claimUpload(mediaBucket, uploadKey))) {
    throw new ValidationFailedError('The upload was not found.', [{ path: 'body.programUrl', message: 'no such upload: PUT the file to its uploadUrl first' }]);
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

/**
 * Deletes one of the host's tracks and, when no other track of the host names it, the upload it names; 404
 * when there is none.
 */
export async function deleteTrack(hostId: string, trackId: string, mediaBucket: string): Promise<void> {
  const track = await getHostTrack(hostId, trackId);
  if (!track || !(await deleteHostTrack(hostId, trackId))) throw new TrackNotFoundError();
  const uploadKey = uploadKeyOf(track, mediaBucket);
  const stillNamed = uploadKey !== undefined && (await listHostTracks(hostId)).some((other) => other.programUrl === track.programUrl);
  if (uploadKey && !stillNamed) await deleteUpload(mediaBucket, uploadKey);
  logger.info('Track deleted', { trackId, uploadDeleted: uploadKey !== undefined && !stillNamed });
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
    ...(track.loudness ? { loudness: { integratedLufs: track.loudness.integratedLufs, truePeakDbtp: track.loudness.truePeakDbtp } } : {}),
    ...(track.loudnessError ? { loudnessError: track.loudnessError } : {}),
  };
}

/**
 * Where the host's browser can listen to a track (the console's cue, never the stage): a presigned GET of an
 * upload in the media bucket, or the track's own https URL; undefined for a URL the policy no longer allows.
 */
export async function listenUrlOf(track: Pick<TrackRecord, 'programUrl'>, mediaBucket: string): Promise<string | undefined> {
  const decision = checkMediaUrl(track.programUrl, { mediaBucket });
  if (!decision.allowed) return undefined;
  if (decision.kind === 'https') return decision.url.toString();
  return await presignDownload({ bucket: decision.bucket, key: decision.key, expiresInSeconds: MEDIA_DOWNLOAD_URL_SECONDS });
}
