/**
 * Measures a new track's loudness once (EventBridge `Track Created` → shelcaster-measure-track) and keeps it
 * on the track, where the controller reads it when the track is played. A file that cannot be measured is
 * kept with the reason (it then plays as it is). A track deleted meanwhile is left deleted.
 */
import { checkMediaUrl, ENV, type TrackCreatedDetail } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { measureLoudness } from '#helpers/measure-loudness';
import { presignDownload } from '#helpers/presign-download';
import { logger } from '../powertools.ts';
import { recordTrackLoudness } from '../tracks-repository.ts';

/** How long ffmpeg may read a URL (it must be valid until the end of the measurement). */
const URL_SECONDS = 15 * 60;
/** Longest measurement (within the function's timeout). */
const MEASURE_TIMEOUT_MS = 270_000;

export async function measureTrack(detail: TrackCreatedDetail, now: () => Date = () => new Date()): Promise<void> {
  const mediaBucket = getStringFromEnv(ENV.mediaBucket);
  const decision = checkMediaUrl(detail.programUrl, { mediaBucket });
  if (!decision.allowed || decision.kind !== 's3') {
    logger.warn('Track not measured: not an upload of the media bucket', { trackId: detail.trackId });
    await recordTrackLoudness(detail.hostId, detail.trackId, { error: 'only uploaded tracks are measured' });
    return;
  }
  const url = await presignDownload({ bucket: decision.bucket, key: decision.key, expiresInSeconds: URL_SECONDS });
  const started = Date.now();
  const measured = await measureLoudness(url, { timeoutMs: MEASURE_TIMEOUT_MS });
  const tookMs = Date.now() - started;
  if (!measured.ok) {
    logger.warn('Track loudness could not be measured', { trackId: detail.trackId, reason: measured.reason, tookMs });
    await recordTrackLoudness(detail.hostId, detail.trackId, { error: measured.reason });
    return;
  }
  const loudness = { ...measured.loudness, measuredAt: now().toISOString() };
  const kept = await recordTrackLoudness(detail.hostId, detail.trackId, { loudness });
  logger.info('Track loudness measured', { trackId: detail.trackId, ...measured.loudness, tookMs, kept });
}
