/**
 * Builds a session's episode from its composite recording without decoding anything: an HLS rendition in
 * fMP4 is an init segment and media segments, and the init followed by the segments in playlist order is a
 * playable fragmented MP4. Parts (after `#EXT-X-DISCONTINUITY`) are joined when their init segments are
 * byte-identical, each later part's fragments moved to follow the earlier ones; otherwise the longest part
 * alone is the episode. The bytes stream into S3 (lib-storage Upload: one PutObject, or multipart above 5 MiB),
 * one segment in memory at a time.
 */
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { EPISODE_CONTENT_TYPE } from '#contract/index';
import { s3Client } from '#clients/s3';
import { firstDecodeTimes, rewriteFragments, trackTimescales } from './fmp4-fragments.ts';
import { partDurationSeconds, type RecordingPart } from './hls-recording-playlist.ts';
import { readObjectBytes } from './s3-objects.ts';

/** A recording object the playlist names is missing. */
export class RecordingObjectMissingError extends Error {
  constructor(key: string) {
    super(`The recording object ${key} is missing`);
    this.name = 'RecordingObjectMissingError';
  }
}

/** How the episode was made of the recording's parts. */
export type EpisodeJoin = 'single-part' | 'parts-joined' | 'longest-part';

export interface EpisodePlan {
  join: EpisodeJoin;
  parts: RecordingPart[];
  /** Parts of the recording left out (only with `longest-part`). */
  droppedParts: number;
  durationSeconds: number;
}

/** Chooses the parts of the episode: all of them when their inits are byte-identical, else the longest. */
export function planEpisode(parts: readonly RecordingPart[], inits: ReadonlyMap<string, Uint8Array>): EpisodePlan {
  const withMedia = parts.filter((part) => part.segments.length > 0);
  const total = (chosen: RecordingPart[]) => chosen.reduce((sum, part) => sum + partDurationSeconds(part), 0);
  if (withMedia.length <= 1) return { join: 'single-part', parts: withMedia, droppedParts: 0, durationSeconds: total(withMedia) };
  const first = inits.get(withMedia[0]!.initKey);
  const identical = withMedia.every((part) => {
    const init = inits.get(part.initKey);
    return first !== undefined && init !== undefined && Buffer.from(init).equals(Buffer.from(first));
  });
  if (identical) return { join: 'parts-joined', parts: withMedia, droppedParts: 0, durationSeconds: total(withMedia) };
  const longest = withMedia.reduce((best, part) => (partDurationSeconds(part) > partDurationSeconds(best) ? part : best));
  return { join: 'longest-part', parts: [longest], droppedParts: withMedia.length - 1, durationSeconds: total([longest]) };
}

async function requireObject(bucket: string, key: string): Promise<Uint8Array> {
  const bytes = await readObjectBytes(bucket, key);
  if (!bytes) throw new RecordingObjectMissingError(key);
  return bytes;
}

/** The episode's bytes: the first part's init, then every segment, later parts' fragments moved on the timeline. */
export async function* episodeBytes(bucket: string, plan: EpisodePlan, firstInit: Uint8Array): AsyncGenerator<Buffer> {
  yield Buffer.from(firstInit);
  if (plan.parts.length === 1) {
    for (const segment of plan.parts[0]!.segments) yield Buffer.from(await requireObject(bucket, segment.key));
    return;
  }
  const timescales = trackTimescales(firstInit);
  let firstOfRecording: Map<number, bigint> | undefined;
  let elapsedSeconds = 0;
  let nextSequenceNumber = 1;
  for (const part of plan.parts) {
    let shifts: Map<number, bigint> | undefined;
    for (const segment of part.segments) {
      const bytes = await requireObject(bucket, segment.key);
      if (!shifts) {
        const firstOfPart = firstDecodeTimes(bytes);
        firstOfRecording ??= firstOfPart;
        shifts = new Map();
        for (const [trackId, first] of firstOfPart) {
          const start = (firstOfRecording.get(trackId) ?? 0n) + BigInt(Math.round(elapsedSeconds * (timescales.get(trackId) ?? 0)));
          shifts.set(trackId, start - first);
        }
      }
      const rewritten = rewriteFragments(bytes, shifts, nextSequenceNumber);
      nextSequenceNumber = rewritten.nextSequenceNumber;
      yield Buffer.from(rewritten.data);
    }
    elapsedSeconds += partDurationSeconds(part);
  }
}

/** Reads the init segments, plans the episode and streams it to `episodeKey`. Returns the plan. */
export async function buildEpisode(args: { bucket: string; parts: readonly RecordingPart[]; episodeKey: string }): Promise<EpisodePlan> {
  const inits = new Map<string, Uint8Array>();
  for (const part of args.parts) {
    if (part.segments.length > 0 && !inits.has(part.initKey)) inits.set(part.initKey, await requireObject(args.bucket, part.initKey));
  }
  const plan = planEpisode(args.parts, inits);
  const firstInit = plan.parts[0] && inits.get(plan.parts[0].initKey);
  if (!firstInit) return plan;
  const upload = new Upload({
    client: s3Client,
    params: {
      Bucket: args.bucket,
      Key: args.episodeKey,
      Body: Readable.from(episodeBytes(args.bucket, plan, firstInit), { objectMode: false }),
      ContentType: EPISODE_CONTENT_TYPE,
    },
  });
  await upload.done();
  return plan;
}
