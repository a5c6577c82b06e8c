/**
 * A session's recording as one audio file (the episode, `recordings/<sessionId>/episode.m4a`): its presigned
 * URL once the session has ended and its composite recording has been closed. The first request after that
 * builds the episode from the HLS recording under the session's recording prefix.
 */
import { posix } from 'node:path';
import { ENV, MEDIA_DOWNLOAD_URL_SECONDS, episodeKey, type SessionRecord } from '#contract/index';
import { buildEpisode } from '#helpers/build-episode';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { firstVariantUri, parseRenditionPlaylist, resolveRecordingKey } from '#helpers/hls-recording-playlist';
import { presignDownload } from '#helpers/presign-download';
import { objectExists, readObjectBytes } from '#helpers/s3-objects';
import { logger } from '../powertools.ts';
import { RecordingNotFoundError, RecordingNotReadyError } from '../recording-errors.ts';
import { getOwnedSession } from '../sessions-repository.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** Where IVS puts things under a composite recording's prefix. */
export const MULTIVARIANT_PLAYLIST_PATH = 'media/hls/multivariant.m3u8';
export const RECORDING_END_EVENTS = ['events/recording-ended.json', 'events/recording-failed.json'] as const;

const FINISHED_STATUSES = new Set(['ENDED', 'FAILED']);

const underPrefix = (prefix: string, path: string) => `${prefix.replace(/\/+$/, '')}/${path}`;

/** Whether IVS has closed the recording (written its ended or failed event). */
async function recordingClosed(prefix: string): Promise<boolean> {
  for (const path of RECORDING_END_EVENTS) if (await objectExists(mediaBucket, underPrefix(prefix, path))) return true;
  return false;
}

/** Builds the episode from the recording under `prefix`; false when the recording holds no media. */
async function buildFromRecording(session: SessionRecord, prefix: string, key: string): Promise<boolean> {
  const root = prefix.replace(/\/+$/, '');
  const multivariantKey = underPrefix(prefix, MULTIVARIANT_PLAYLIST_PATH);
  const multivariant = await readObjectBytes(mediaBucket, multivariantKey);
  if (!multivariant) return false;
  const variant = firstVariantUri(Buffer.from(multivariant).toString('utf8'));
  if (!variant) return false;
  const renditionKey = resolveRecordingKey(multivariantKey, variant, root);
  const rendition = await readObjectBytes(mediaBucket, renditionKey);
  if (!rendition) return false;
  const playlist = parseRenditionPlaylist(Buffer.from(rendition).toString('utf8'), renditionKey, root);
  const plan = await buildEpisode({ bucket: mediaBucket, parts: playlist.parts, episodeKey: key });
  if (plan.parts.length === 0) return false;
  logger.info('Episode built', {
    key,
    rendition: posix.relative(root, renditionKey),
    join: plan.join,
    droppedParts: plan.droppedParts,
    durationSeconds: plan.durationSeconds,
    status: session.status,
  });
  return true;
}

/** The presigned URL of the session's episode (building it first when needed). */
export async function getRecordingUrl(request: { sessionId: string; hostId: string }): Promise<string> {
  const session = await getOwnedSession(request.sessionId, request.hostId);
  if (!FINISHED_STATUSES.has(session.status)) throw new RecordingNotReadyError('The show is not over yet.');
  const prefix = session.recordingPrefix;
  if (!session.compositionArn || !prefix) throw new RecordingNotFoundError('The session never went live: it has no recording.');
  const key = episodeKey(session.sessionId);
  if (!(await objectExists(mediaBucket, key))) {
    if (!(await recordingClosed(prefix))) throw new RecordingNotReadyError('The recording is still being finished.');
    if (!(await buildFromRecording(session, prefix, key))) throw new RecordingNotFoundError('The session has no recorded media.');
  }
  return await presignDownload({ bucket: mediaBucket, key, expiresInSeconds: MEDIA_DOWNLOAD_URL_SECONDS });
}
