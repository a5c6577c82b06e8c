import { describe, expect, it } from 'vitest';
import {
  firstVariantUri,
  parseRenditionPlaylist,
  parseSegmentList,
  playlistDurationMs,
  renderMultivariantPlaylist,
  renderRenditionPlaylist,
  type RenditionPlaylist,
} from '#local-cloud/stage/hls-playlist';
import { recordingMetadata } from '#local-cloud/stage/recording-metadata';

const TWO_PARTS: RenditionPlaylist = {
  parts: [
    { initUri: 'init-0.mp4', programDateTime: '2026-11-24T05:00:00.000Z', segments: [{ uri: '0.mp4', durationSeconds: 2.005333 }, { uri: '1.mp4', durationSeconds: 1.5 }] },
    { initUri: 'init-1.mp4', programDateTime: '2026-11-24T05:01:00.000Z', segments: [{ uri: '2.mp4', durationSeconds: 2.005333 }] },
  ],
  ended: false,
};

describe('The rendition playlist', () => {
  it('lists each part after a discontinuity with its own init segment, and reads back the same', () => {
    const text = renderRenditionPlaylist(TWO_PARTS);
    expect(text).toContain('#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-11-24T05:01:00.000Z');
    expect(text).toContain('#EXT-X-TARGETDURATION:3');
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(parseRenditionPlaylist(text)).toEqual(TWO_PARTS);
  });

  it('ends with #EXT-X-ENDLIST once ended', () => {
    const text = renderRenditionPlaylist({ ...TWO_PARTS, ended: true });
    expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(parseRenditionPlaylist(text).ended).toBe(true);
  });

  it('adds up the duration of every segment', () => {
    expect(playlistDurationMs(TWO_PARTS)).toBe(5511);
  });

  it("reads the finished segments from ffmpeg's own playlist", () => {
    const ffmpeg = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-MAP:URI="init-3.mp4"\n#EXTINF:2.005333,\n7.mp4\n#EXTINF:1.010667,\n8.mp4\n';
    expect(parseSegmentList(ffmpeg)).toEqual([{ uri: '7.mp4', durationSeconds: 2.005333 }, { uri: '8.mp4', durationSeconds: 1.010667 }]);
  });
});

describe('The multivariant playlist', () => {
  it('points at the audio rendition', () => {
    const text = renderMultivariantPlaylist('audio/playlist.m3u8', 140_800);
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=140800,CODECS="mp4a.40.2"');
    expect(firstVariantUri(text)).toBe('audio/playlist.m3u8');
  });
});

describe('The recording metadata', () => {
  it("uses IVS's fields: no end, duration or message while recording", () => {
    const started = recordingMetadata({ stageArn: 'arn:stage', renditionPath: 'audio', status: 'RECORDING_STARTED', startedAt: new Date('2026-11-24T05:00:00.123Z') });
    expect(started).toEqual({
      version: 'v1',
      stage_arn: 'arn:stage',
      recording_started_at: '2026-11-24T05:00:00Z',
      recording_status: 'RECORDING_STARTED',
      media: { hls: { path: 'media/hls', playlist: 'multivariant.m3u8', renditions: [{ path: 'audio', playlist: 'playlist.m3u8' }] } },
    });
  });

  it('carries the end time, the duration and a message once ended', () => {
    const ended = recordingMetadata({
      stageArn: 'arn:stage',
      renditionPath: 'audio',
      status: 'RECORDING_ENDED',
      startedAt: new Date('2026-11-24T05:00:00Z'),
      endedAt: new Date('2026-11-24T05:08:24.9Z'),
      durationMs: 504_000,
      message: 'Recording ended',
    });
    expect(ended).toMatchObject({ recording_ended_at: '2026-11-24T05:08:24Z', recording_status_message: 'Recording ended', media: { hls: { duration_ms: 504_000 } } });
  });
});
