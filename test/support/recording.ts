/**
 * A session's recording for system tests: where the composition wrote it (the session record's recording
 * prefix in the media bucket), the wall-clock time of its first sample, and the recording as one audio file.
 *
 * The timeline's origin is the rendition playlist's first `#EXT-X-PROGRAM-DATE-TIME` (milliseconds, the
 * time of the first sample, as IVS writes it too); `events/recording-started.json` holds whole seconds only.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mediaBucketName, SESSIONS_TABLE_NAME, sessionKey, type SessionRecord } from '#contract/index';
import { parseRenditionPlaylist } from '../../infra/local/stage/hls-playlist.ts';
import { exportRecordingAsEpisode } from '../../infra/local/stage/recording-episode.ts';
import { HLS_PATH, RENDITION_PLAYLIST } from '../../infra/local/stage/recording-metadata.ts';
import { DEFAULT_RENDITION_PATH } from '../../infra/local/stage/composition-recorder.ts';
import { recordingKey, s3RecordingStore } from '../../infra/local/stage/recording-store.ts';

/** The local cloud's account and region (the media bucket's name is made of them). */
export const LOCAL_MEDIA_BUCKET = mediaBucketName('000000000000', 'us-east-1');

/** SDK client configuration for a local cloud. */
export function localClientConfig(awsEndpoint: string) {
  return { endpoint: awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

/** Reads a session's record as the system stored it. */
export async function readSessionRecord(awsEndpoint: string, sessionId: string): Promise<SessionRecord | undefined> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(awsEndpoint)));
  const { Item } = await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: sessionKey(sessionId), ConsistentRead: true }));
  return Item as SessionRecord | undefined;
}

export interface SessionRecording {
  /** The recording as one m4a file. */
  path: string;
  /** Wall-clock time (ms since the epoch) of the recording's first sample. */
  startMs: number;
  recordingPrefix: string;
}

/** Fetches a finished session's recording as one file and finds the wall-clock time it starts at. */
export async function fetchSessionRecording(awsEndpoint: string, sessionId: string): Promise<SessionRecording> {
  const record = await readSessionRecord(awsEndpoint, sessionId);
  const recordingPrefix = record?.recordingPrefix;
  if (!recordingPrefix) throw new Error(`session ${sessionId} has no recording prefix`);
  const store = s3RecordingStore(new S3Client({ ...localClientConfig(awsEndpoint), forcePathStyle: true }));
  const playlistText = await store.get(LOCAL_MEDIA_BUCKET, recordingKey(recordingPrefix, `${HLS_PATH}/${DEFAULT_RENDITION_PATH}/${RENDITION_PLAYLIST}`));
  if (!playlistText) throw new Error('the recording has no rendition playlist');
  const playlist = parseRenditionPlaylist(playlistText.toString('utf8'));
  if (playlist.parts.length !== 1) throw new Error(`the recording has ${playlist.parts.length} parts; one was expected`);
  const startMs = Date.parse(playlist.parts[0]!.programDateTime);
  if (Number.isNaN(startMs)) throw new Error('the playlist has no program date-time');
  const outputPath = join(await mkdtemp(join(tmpdir(), 'shelcaster-recording-')), 'episode.m4a');
  const episode = await exportRecordingAsEpisode({ store, bucketName: LOCAL_MEDIA_BUCKET, recordingPrefix, outputPath });
  return { path: episode.path, startMs, recordingPrefix };
}
