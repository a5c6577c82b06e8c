/**
 * The host's tracks (the console's Program Manager): uploaded media a host keeps across sessions, stored in
 * the sessions table under the host's partition (pk `HOST#<userId>`, sk `TRACK#<trackId>`).
 */
import { z } from 'zod';
import { MAX_PROGRAM_URL_LENGTH } from './commands.ts';
import { MAX_MEDIA_BYTES, MEDIA_CONTENT_TYPES } from './limits.ts';
import type { TrackLoudness } from './decks.ts';

/** Most tracks one host may keep; POST /tracks answers 409 CONFLICT beyond it. */
export const MAX_TRACKS_PER_HOST = 200;

/** Longest track title. */
export const MAX_TRACK_TITLE_LENGTH = 200;

/** Body of POST /tracks: a file uploaded through POST /media, registered under a title. */
export const CreateTrackBody = z.strictObject({
  title: z.string().trim().min(1).max(MAX_TRACK_TITLE_LENGTH),
  /** The `programUrl` POST /media answered (`s3://<media bucket>/media/<owner>/...`). */
  programUrl: z.string().min(1).max(MAX_PROGRAM_URL_LENGTH),
  contentType: z.enum(MEDIA_CONTENT_TYPES),
  sizeBytes: z.number().int().min(1).max(MAX_MEDIA_BYTES),
});
export type CreateTrackBody = z.infer<typeof CreateTrackBody>;

export const TrackPathParams = z.strictObject({
  trackId: z.uuid(),
});

/** A track as stored (without its keys) and as the API shows it. */
export interface TrackRecord {
  trackId: string;
  hostId: string;
  title: string;
  programUrl: string;
  contentType: (typeof MEDIA_CONTENT_TYPES)[number];
  sizeBytes: number;
  createdAt: string;
  /** Its loudness, once measured (shortly after it was created; see docs/api.md, Loudness). */
  loudness?: TrackLoudness;
  /** Why it could not be measured (the file is not audio ffmpeg can read, ...); it then plays as it is. */
  loudnessError?: string;
}

/** Partition of one host's own items in the sessions table. */
export const hostPartitionKey = (hostId: string) => `HOST#${hostId}`;

/** Sort key prefix of tracks inside a host's partition. */
export const TRACK_SORT_KEY_PREFIX = 'TRACK#';

/** Keys of one track. */
export const trackKey = (hostId: string, trackId: string) => ({ pk: hostPartitionKey(hostId), sk: `${TRACK_SORT_KEY_PREFIX}${trackId}` });
