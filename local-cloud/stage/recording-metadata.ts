/**
 * The JSON files IVS writes under a composite recording's prefix (`events/recording-started.json`,
 * `events/recording-ended.json`, `events/recording-failed.json`), with IVS's field names. The local
 * recording is audio only, so its rendition has no resolution fields (IVS omits them without video).
 */

export const HLS_PATH = 'media/hls';
export const MULTIVARIANT_PLAYLIST = 'multivariant.m3u8';
export const RENDITION_PLAYLIST = 'playlist.m3u8';
export const RECORDING_STARTED_KEY = 'events/recording-started.json';
export const RECORDING_ENDED_KEY = 'events/recording-ended.json';
export const RECORDING_FAILED_KEY = 'events/recording-failed.json';

export type RecordingStatus = 'RECORDING_STARTED' | 'RECORDING_ENDED' | 'RECORDING_START_FAILED' | 'RECORDING_ENDED_WITH_FAILURE';

export interface RecordingMetadata {
  version: 'v1';
  stage_arn: string;
  recording_started_at?: string;
  recording_ended_at?: string;
  recording_status: RecordingStatus;
  recording_status_message?: string;
  media: {
    hls: {
      duration_ms?: number;
      path: string;
      playlist: string;
      renditions: { path: string; playlist: string }[];
    };
  };
}

/** The metadata document of a recording in one of its states. Timestamps are RFC 3339 UTC, to the second. */
export function recordingMetadata(args: {
  stageArn: string;
  renditionPath: string;
  status: RecordingStatus;
  startedAt: Date;
  endedAt?: Date;
  durationMs?: number;
  message?: string;
}): RecordingMetadata {
  const ended = args.status === 'RECORDING_ENDED' || args.status === 'RECORDING_ENDED_WITH_FAILURE';
  return {
    version: 'v1',
    stage_arn: args.stageArn,
    recording_started_at: rfc3339(args.startedAt),
    ...(ended && args.endedAt ? { recording_ended_at: rfc3339(args.endedAt) } : {}),
    recording_status: args.status,
    ...(ended && args.message ? { recording_status_message: args.message } : {}),
    media: {
      hls: {
        ...(ended ? { duration_ms: args.durationMs ?? 0 } : {}),
        path: HLS_PATH,
        playlist: MULTIVARIANT_PLAYLIST,
        renditions: [{ path: args.renditionPath, playlist: RENDITION_PLAYLIST }],
      },
    },
  };
}

function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
