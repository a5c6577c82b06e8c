/**
 * Where a recording's timeline begins on the wall clock: its first rendition playlist's first
 * `#EXT-X-PROGRAM-DATE-TIME` under the recording prefix (IVS's layout, `media/hls/multivariant.m3u8`).
 */
import { firstProgramDateTime, firstVariantUri, resolveRecordingKey } from './hls-recording-playlist.ts';
import { readObjectBytes } from './s3-objects.ts';

const MULTIVARIANT_PLAYLIST_PATH = 'media/hls/multivariant.m3u8';

/** Milliseconds since the epoch of the recording's first sample; undefined while its playlist says none. */
export async function recordingStartMs(bucket: string, recordingPrefix: string): Promise<number | undefined> {
  const root = recordingPrefix.replace(/\/+$/, '');
  const multivariantKey = `${root}/${MULTIVARIANT_PLAYLIST_PATH}`;
  const multivariant = await readObjectBytes(bucket, multivariantKey);
  const variant = multivariant ? firstVariantUri(Buffer.from(multivariant).toString('utf8')) : undefined;
  if (!variant) return undefined;
  const rendition = await readObjectBytes(bucket, resolveRecordingKey(multivariantKey, variant, root));
  const at = rendition ? firstProgramDateTime(Buffer.from(rendition).toString('utf8')) : undefined;
  const ms = at ? Date.parse(at) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
