/**
 * Reading the HLS playlists of a composite recording (IVS's layout: `media/hls/multivariant.m3u8` naming
 * rendition playlists; fMP4 segments, one `#EXT-X-MAP` init segment per part). A part is what lies between
 * discontinuities: its own init segment and the media segments after it.
 */
import { posix } from 'node:path';

export interface RecordingSegment {
  /** The segment's key in the bucket. */
  key: string;
  durationSeconds: number;
}

export interface RecordingPart {
  /** The init segment's key. */
  initKey: string;
  segments: RecordingSegment[];
}

export interface RenditionPlaylist {
  parts: RecordingPart[];
  ended: boolean;
}

/** A playlist that cannot be read as a recording (no rendition, a segment outside the recording, no init). */
export class RecordingPlaylistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingPlaylistError';
  }
}

/** The first variant's URI of a multivariant playlist (IVS lists its renditions there). */
export function firstVariantUri(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const at = lines.findIndex((line) => line.startsWith('#EXT-X-STREAM-INF'));
  return at < 0 ? undefined : lines.slice(at + 1).find((line) => line !== '' && !line.startsWith('#'));
}

/** The key a playlist's relative URI names, refused when it is absolute or leaves `root` (the recording prefix). */
export function resolveRecordingKey(playlistKey: string, uri: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.includes('?') || uri.includes('#')) {
    throw new RecordingPlaylistError(`The playlist names ${uri}, which is not a relative path`);
  }
  const key = posix.normalize(posix.join(posix.dirname(playlistKey), uri));
  const prefix = root.endsWith('/') ? root : `${root}/`;
  if (!key.startsWith(prefix)) throw new RecordingPlaylistError(`The playlist names ${uri}, outside the recording`);
  return key;
}

/** Parses a rendition playlist into parts, resolving every URI against the playlist's own key. */
export function parseRenditionPlaylist(text: string, playlistKey: string, root: string): RenditionPlaylist {
  const parts: RecordingPart[] = [];
  let ended = false;
  let currentInit: string | undefined;
  let startNewPart = true;
  let duration: number | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line === '#EXT-X-DISCONTINUITY') startNewPart = true;
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      if (!uri) throw new RecordingPlaylistError('An #EXT-X-MAP has no URI');
      currentInit = resolveRecordingKey(playlistKey, uri, root);
      startNewPart = true;
    } else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line !== '' && !line.startsWith('#')) {
      if (currentInit === undefined) throw new RecordingPlaylistError('A segment comes before any #EXT-X-MAP (not fMP4)');
      if (startNewPart || parts.length === 0) {
        parts.push({ initKey: currentInit, segments: [] });
        startNewPart = false;
      }
      parts.at(-1)?.segments.push({ key: resolveRecordingKey(playlistKey, line, root), durationSeconds: Number.isFinite(duration) ? (duration ?? 0) : 0 });
      duration = undefined;
    }
  }
  return { parts, ended };
}

/** A part's duration by its playlist, in seconds. */
export const partDurationSeconds = (part: RecordingPart): number => part.segments.reduce((sum, s) => sum + s.durationSeconds, 0);

/** The wall-clock time of a rendition playlist's first sample: its first `#EXT-X-PROGRAM-DATE-TIME` (IVS writes it, ms precision). */
export function firstProgramDateTime(text: string): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) return line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
  }
  return undefined;
}
