/**
 * Where a session's recording sits on the wall clock, for system tests that find sounds in it.
 *
 * The episode (GET /sessions/{id}/recording) is the composite recording's HLS joined as it is, so its time
 * 0 is the recording's first sample. That sample's wall-clock time is the rendition playlist's first
 * `#EXT-X-PROGRAM-DATE-TIME` (milliseconds; IVS writes it too), under the recording prefix the session record
 * keeps. `events/recording-started.json` would not do: it holds whole seconds only.
 */
import { posix } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mediaBucketName } from '#contract/index';
import { localClientConfig, readSessionRecord } from '#harness/session-record';

import { firstVariantUri, parseRenditionPlaylist } from '#local-cloud/stage/hls-playlist';
import { HLS_PATH, MULTIVARIANT_PLAYLIST } from '#local-cloud/stage/recording-metadata';

/** The local cloud's media bucket (its account and region make the name). */
export const LOCAL_MEDIA_BUCKET = mediaBucketName('000000000000', 'us-east-1');

/** Wall-clock time (ms since the epoch) of the first sample of a session's (single-part) recording. */
export async function recordingStartMs(awsEndpoint: string, sessionId: string): Promise<number> {
  const prefix = (await readSessionRecord(awsEndpoint, sessionId))?.recordingPrefix?.replace(/\/+$/, '');
  if (!prefix) throw new Error(`session ${sessionId} has no recording prefix`);
  const s3 = new S3Client({ ...localClientConfig(awsEndpoint), forcePathStyle: true });
  const read = async (key: string) => (await (await s3.send(new GetObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key }))).Body?.transformToString('utf8')) ?? '';
  const multivariantPath = `${HLS_PATH}/${MULTIVARIANT_PLAYLIST}`;
  const variant = firstVariantUri(await read(`${prefix}/${multivariantPath}`));
  if (!variant) throw new Error('the recording has no rendition');
  const playlist = parseRenditionPlaylist(await read(`${prefix}/${posix.join(HLS_PATH, variant)}`));
  if (playlist.parts.length !== 1) throw new Error(`the recording has ${playlist.parts.length} parts; one was expected`);
  const startMs = Date.parse(playlist.parts[0]!.programDateTime);
  if (Number.isNaN(startMs)) throw new Error('the rendition playlist has no program date-time');
  return startMs;
}
