import { describe, expect, it } from 'vitest';
import {
  RecordingPlaylistError,
  firstVariantUri,
  parseRenditionPlaylist,
  partDurationSeconds,
} from '#helpers/hls-recording-playlist';

const ROOT = 'stage/comp/dest/composite';
const KEY = `${ROOT}/media/hls/720p30-abc/playlist.m3u8`;
const DIR = `${ROOT}/media/hls/720p30-abc`;

describe('Helper: HLS playlists of a composite recording', () => {
  it('finds the first rendition of a multivariant playlist', () => {
    const text = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=2500000\n720p30-abc/playlist.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p30-abc/playlist.m3u8\n';

    expect(firstVariantUri(text)).toBe('720p30-abc/playlist.m3u8');
    expect(firstVariantUri('#EXTM3U\n')).toBeUndefined();
  });

  it('splits a rendition into parts at each discontinuity and new map, in order, with durations', () => {
    const text = [
      '#EXTM3U', '#EXT-X-MAP:URI="init-0.mp4"', '#EXTINF:2.0,', '0.mp4', '#EXTINF:1.5,', '1.mp4',
      '#EXT-X-DISCONTINUITY', '#EXT-X-MAP:URI="init-1.mp4"', '#EXT-X-PROGRAM-DATE-TIME:2026-11-24T08:00:00.000Z', '#EXTINF:2.0,', '2.mp4',
      '#EXT-X-DISCONTINUITY', '#EXTINF:1.0,', '3.mp4', '#EXT-X-ENDLIST',
    ].join('\n');

    const playlist = parseRenditionPlaylist(text, KEY, ROOT);

    expect(playlist.ended).toBe(true);
    expect(playlist.parts).toEqual([
      { initKey: `${DIR}/init-0.mp4`, segments: [{ key: `${DIR}/0.mp4`, durationSeconds: 2 }, { key: `${DIR}/1.mp4`, durationSeconds: 1.5 }] },
      { initKey: `${DIR}/init-1.mp4`, segments: [{ key: `${DIR}/2.mp4`, durationSeconds: 2 }] },
      { initKey: `${DIR}/init-1.mp4`, segments: [{ key: `${DIR}/3.mp4`, durationSeconds: 1 }] },
    ]);
    expect(partDurationSeconds(playlist.parts[0]!)).toBe(3.5);
  });

  it('reads a playlist without #EXT-X-ENDLIST as not ended', () => {
    expect(parseRenditionPlaylist('#EXTM3U\n#EXT-X-MAP:URI="i.mp4"\n#EXTINF:2,\n0.mp4\n', KEY, ROOT).ended).toBe(false);
  });

  it.each([
    ['a segment outside the recording', '../../../../../media/u/a.wav'],
    ['an absolute URL', 'https://attacker.example/0.mp4'],
    ['an absolute path', '/other/0.mp4'],
  ])('refuses %s', (_case, uri) => {
    expect(() => parseRenditionPlaylist(`#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\n${uri}\n`, KEY, ROOT)).toThrow(RecordingPlaylistError);
  });

  it('refuses segments without an init segment (not fMP4)', () => {
    expect(() => parseRenditionPlaylist('#EXTM3U\n#EXTINF:2,\n0.ts\n', KEY, ROOT)).toThrow(RecordingPlaylistError);
  });
});
