/**
 * The HLS playlists of a composition recording: the rendition (media) playlist, rebuilt from the segments
 * already uploaded, and the multivariant playlist that points at it. A recording resumed after a restart is
 * a new part: `#EXT-X-DISCONTINUITY`, its own init segment and program date-time.
 */

export interface HlsSegment {
  uri: string;
  durationSeconds: number;
}

export interface HlsPart {
  initUri: string;
  /** ISO time of the part's first sample. */
  programDateTime: string;
  segments: HlsSegment[];
}

export interface RenditionPlaylist {
  parts: HlsPart[];
  ended: boolean;
}

/** The rendition playlist's text; `#EXT-X-ENDLIST` once the recording ended. */
export function renderRenditionPlaylist(playlist: RenditionPlaylist): string {
  const segments = playlist.parts.flatMap((part) => part.segments);
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.durationSeconds)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-INDEPENDENT-SEGMENTS'];
  playlist.parts.forEach((part, index) => {
    if (part.segments.length === 0) return;
    if (index > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-MAP:URI="${part.initUri}"`, `#EXT-X-PROGRAM-DATE-TIME:${part.programDateTime}`);
    for (const segment of part.segments) lines.push(`#EXTINF:${segment.durationSeconds.toFixed(6)},`, segment.uri);
  });
  if (playlist.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** Reads a rendition playlist this module wrote (or any with EXT-X-MAP per part). */
export function parseRenditionPlaylist(text: string): RenditionPlaylist {
  const parts: HlsPart[] = [];
  let ended = false;
  let duration: number | undefined;
  let pendingMap: string | undefined;
  let pendingDate: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line.startsWith('#EXT-X-MAP:')) pendingMap = /URI="([^"]+)"/.exec(line)?.[1];
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pendingDate = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (line && !line.startsWith('#') && duration !== undefined) {
      if (pendingMap !== undefined || parts.length === 0) {
        parts.push({ initUri: pendingMap ?? '', programDateTime: pendingDate ?? '', segments: [] });
        pendingMap = undefined;
        pendingDate = undefined;
      }
      parts.at(-1)!.segments.push({ uri: line, durationSeconds: duration });
      duration = undefined;
    }
  }
  return { parts, ended };
}

/** The segments ffmpeg's HLS muxer lists as finished in its own playlist. */
export function parseSegmentList(text: string): HlsSegment[] {
  return parseRenditionPlaylist(text).parts.flatMap((part) => part.segments);
}

/** The multivariant playlist with one audio-only rendition. */
export function renderMultivariantPlaylist(renditionPlaylistUri: string, bandwidth: number, codecs = 'mp4a.40.2'): string {
  return ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},CODECS="${codecs}"`, renditionPlaylistUri, ''].join('\n');
}

/** The first variant's URI in a multivariant playlist. */
export function firstVariantUri(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const index = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF'));
  return index >= 0 ? lines.slice(index + 1).find((l) => l && !l.startsWith('#')) : undefined;
}

/** Total duration of a playlist's segments, in milliseconds. */
export function playlistDurationMs(playlist: RenditionPlaylist): number {
  return Math.round(playlist.parts.flatMap((p) => p.segments).reduce((sum, s) => sum + s.durationSeconds * 1000, 0));
}
