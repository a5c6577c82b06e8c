/**
 * A session's recording as one audio file (the episode, `recordings/<sessionId>/episode.m4a`): its presigned
 * URL once the session has ended and its composite recordings have been closed. The first request after that
 * builds the episode from the HLS recordings under the session's recording prefixes: one per composition the
 * session had (a composition restarted mid-show records a new part under a new prefix), in the order they
 * were started, so the episode is the whole show, with a chapter mark at each run-of-show item played.
 */
import { posix } from 'node:path';
import { ENV, MEDIA_DOWNLOAD_URL_SECONDS, episodeKey, type SessionRecord } from '#contract/index';
import { buildEpisode } from '#helpers/build-episode';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { firstVariantUri, parseRenditionPlaylist, resolveRecordingKey, type RecordingPart } from '#helpers/hls-recording-playlist';
import { presignDownload } from '#helpers/presign-download';
import { objectExists, readObjectBytes } from '#helpers/s3-objects';
import { logger } from '../powertools.ts';
import { RecordingNotFoundError, RecordingNotReadyError } from '../recording-errors.ts';
import { recordingsOf } from '../session-recordings.ts';
import { getOwnedSession } from '../sessions-repository.ts';
import { asRunEntriesOf } from './as-run.ts';
import { chaptersOf } from '../as-run-report.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

/** Where IVS puts things under a composite recording's prefix. */
export const MULTIVARIANT_PLAYLIST_PATH = 'media/hls/multivariant.m3u8';
export const RECORDING_END_EVENTS = ['events/recording-ended.json', 'events/recording-failed.json'] as const;
export const RECORDING_STARTED_EVENT = 'events/recording-started.json';

const FINISHED_STATUSES = new Set(['ENDED', 'FAILED']);

const underPrefix = (prefix: string, path: string) => `${prefix.replace(/\/+$/, '')}/${path}`;

/** Whether IVS has closed the recording under `prefix` (written its ended or failed event). */
async function recordingClosed(prefix: string): Promise<boolean> {
  for (const path of RECORDING_END_EVENTS) if (await objectExists(mediaBucket, underPrefix(prefix, path))) return true;
  return false;
}

/**
 * Whether every recording can be read: the last one closed, and each earlier one closed or never started (a
 * composition replaced before it recorded anything leaves nothing to wait for).
 */
async function allRecordingsClosed(prefixes: readonly string[]): Promise<boolean> {
  for (const [i, prefix] of prefixes.entries()) {
    if (await recordingClosed(prefix)) continue;
    const last = i === prefixes.length - 1;
    if (last || (await objectExists(mediaBucket, underPrefix(prefix, RECORDING_STARTED_EVENT)))) return false;
  }
  return true;
}

/** The parts of the recording under one prefix (its first rendition), in playlist order; none when it holds no media. */
async function partsUnder(prefix: string): Promise<{ parts: RecordingPart[]; rendition?: string }> {
  const root = prefix.replace(/\/+$/, '');
  const multivariantKey = underPrefix(prefix, MULTIVARIANT_PLAYLIST_PATH);
  const multivariant = await readObjectBytes(mediaBucket, multivariantKey);
  if (!multivariant) return { parts: [] };
  const variant = firstVariantUri(Buffer.from(multivariant).toString('utf8'));
  if (!variant) return { parts: [] };
  const renditionKey = resolveRecordingKey(multivariantKey, variant, root);
  const rendition = await readObjectBytes(mediaBucket, renditionKey);
  if (!rendition) return { parts: [] };
  const playlist = parseRenditionPlaylist(Buffer.from(rendition).toString('utf8'), renditionKey, root);
  return { parts: playlist.parts, rendition: posix.relative(root, renditionKey) };
}

/** Builds the episode from the recordings under `prefixes`, in order; false when they hold no media. */
async function buildFromRecordings(session: SessionRecord, prefixes: readonly string[], key: string): Promise<boolean> {
  const parts: RecordingPart[] = [];
  const renditions: string[] = [];
  for (const prefix of prefixes) {
    const found = await partsUnder(prefix);
    parts.push(...found.parts);
    if (found.rendition) renditions.push(found.rendition);
  }
  // Chapter marks at each run-of-show item played: the chapters GET /sessions/{id}/chapters answers.
  const { chapters } = chaptersOf(await asRunEntriesOf(session), session.title);
  const plan = await buildEpisode({ bucket: mediaBucket, parts, episodeKey: key, chapters });
  if (plan.parts.length === 0) return false;
  logger.info('Episode built', {
    key,
    recordings: prefixes.length,
    renditions,
    parts: plan.parts.length,
    join: plan.join,
    droppedParts: plan.droppedParts,
    durationSeconds: plan.durationSeconds,
    chapters: chapters.length,
    status: session.status,
  });
  return true;
}

/** The presigned URL of the session's episode (building it first when needed). */
export async function getRecordingUrl(request: { sessionId: string; hostId: string }): Promise<string> {
  const session = await getOwnedSession(request.sessionId, request.hostId);
  if (!FINISHED_STATUSES.has(session.status)) throw new RecordingNotReadyError('The show is not over yet.');
  const prefixes = recordingsOf(session).flatMap((recording) => (recording.recordingPrefix ? [recording.recordingPrefix] : []));
  if (prefixes.length === 0) throw new RecordingNotFoundError('The session never went live: it has no recording.');
  const key = episodeKey(session.sessionId);
  if (!(await objectExists(mediaBucket, key))) {
    if (!(await allRecordingsClosed(prefixes))) throw new RecordingNotReadyError('The recording is still being finished.');
    if (!(await buildFromRecordings(session, prefixes, key))) throw new RecordingNotFoundError('The session has no recorded media.');
  }
  return await presignDownload({ bucket: mediaBucket, key, expiresInSeconds: MEDIA_DOWNLOAD_URL_SECONDS });
}
