/**
 * Builds a session's episode from its composite recording without decoding anything: an HLS rendition in
 * fMP4 is an init segment and media segments, and the init followed by the segments in playlist order is a
 * playable fragmented MP4. Parts (after `#EXT-X-DISCONTINUITY`, and the recordings of every composition the
 * session had, in order) are joined when their init segments are the same but for their creation times
 * (the same encoder configuration), each later part's fragments moved to follow the earlier ones; otherwise
 * the longest part alone is the episode. One segment index (sidx) over every segment follows the init segment, so players know
 * the file's duration (the segments' own sidx boxes are dropped). Building reads each segment's first bytes
 * (sizes and timing for the index), then streams the file into S3 (lib-storage Upload: one PutObject, or
 * multipart above 5 MiB), one segment in memory at a time. The chapters, when given, go into the init's moov.
 */
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { EPISODE_CONTENT_TYPE, type Chapter } from '#contract/index';
import { s3Client } from '#clients/s3';
import {
  firstDecodeTimes,
  withoutCreationTimes,
  rewriteFragments,
  segmentIndexBox,
  segmentPrefixInfo,
  trackTimescales,
  withoutSegmentIndexes,
} from './fmp4-fragments.ts';
import { withChapters } from './mp4-chapters.ts';
import { partDurationSeconds, type RecordingPart } from './hls-recording-playlist.ts';
import { readObjectBytes, readObjectPrefix } from './s3-objects.ts';

/** Bytes read of each segment to index it (its styp and sidx come first). */
export const SEGMENT_PROBE_BYTES = 4096;
/** Segments indexed at once. */
const INDEX_CONCURRENCY = 8;

/** A recording object the playlist names is missing. */
export class RecordingObjectMissingError extends Error {
  constructor(key: string) {
    super(`The recording object ${key} is missing`);
    this.name = 'RecordingObjectMissingError';
  }
}

/** A recording object changed while the episode was built from it. */
export class RecordingChangedError extends Error {
  constructor(key: string) {
    super(`The recording object ${key} changed while the episode was built`);
    this.name = 'RecordingChangedError';
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

/** Chooses the parts of the episode: all of them when their inits are the same but for creation times, else the longest. */
export function planEpisode(parts: readonly RecordingPart[], inits: ReadonlyMap<string, Uint8Array>): EpisodePlan {
  const withMedia = parts.filter((part) => part.segments.length > 0);
  const total = (chosen: RecordingPart[]) => chosen.reduce((sum, part) => sum + partDurationSeconds(part), 0);
  if (withMedia.length <= 1) return { join: 'single-part', parts: withMedia, droppedParts: 0, durationSeconds: total(withMedia) };
  const normalized = (key: string) => {
    const init = inits.get(key);
    return init === undefined ? undefined : Buffer.from(withoutCreationTimes(init));
  };
  const first = normalized(withMedia[0]!.initKey);
  const identical = withMedia.every((part) => {
    const init = normalized(part.initKey);
    return first !== undefined && init !== undefined && init.equals(first);
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

/** The episode's segment index: each segment's size without its own sidx, and its duration by the playlist. */
export interface EpisodeIndex {
  sidx: Uint8Array;
  /** Bytes of each segment once its sidx boxes are dropped, in order. */
  segmentBytes: number[];
}

/** Reads the first bytes of every segment of the plan and builds the episode's sidx. */
export async function indexEpisode(bucket: string, plan: EpisodePlan, firstInit: Uint8Array): Promise<EpisodeIndex> {
  const [referenceId, timescale] = [...trackTimescales(firstInit)][0]!;
  const segments = plan.parts.flatMap((part) => part.segments);
  const infos: { bytes: number; earliest?: { time: bigint; timescale: number } }[] = new Array(segments.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < segments.length; i = next++) {
      const key = segments[i]!.key;
      const head = await readObjectPrefix(bucket, key, SEGMENT_PROBE_BYTES);
      if (!head) throw new RecordingObjectMissingError(key);
      const info = segmentPrefixInfo(head.prefix);
      infos[i] = { bytes: head.size - info.sidxBytes, ...(info.earliest ? { earliest: info.earliest } : {}) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(INDEX_CONCURRENCY, segments.length) }, worker));
  const first = infos[0]?.earliest;
  const earliestPresentationTime = first && first.timescale > 0 ? (first.time * BigInt(timescale)) / BigInt(first.timescale) : 0n;
  const sidx = segmentIndexBox({
    referenceId,
    timescale,
    earliestPresentationTime,
    references: segments.map((segment, i) => ({ bytes: infos[i]!.bytes, durationTicks: Math.round(segment.durationSeconds * timescale) })),
  });
  return { sidx, segmentBytes: infos.map((info) => info.bytes) };
}

/**
 * The episode's bytes: the first part's init, the index, then every segment without its sidx (later parts'
 * fragments moved on the timeline). A segment of another size than indexed fails the build.
 */
export async function* episodeBytes(bucket: string, plan: EpisodePlan, firstInit: Uint8Array, index: EpisodeIndex): AsyncGenerator<Buffer> {
  yield Buffer.from(firstInit);
  yield Buffer.from(index.sidx);
  const timescales = trackTimescales(firstInit);
  const joining = plan.parts.length > 1;
  let firstOfRecording: Map<number, bigint> | undefined;
  let elapsedSeconds = 0;
  let nextSequenceNumber = 1;
  let position = 0;
  for (const part of plan.parts) {
    let shifts: Map<number, bigint> | undefined;
    for (const segment of part.segments) {
      let bytes = await requireObject(bucket, segment.key);
      if (joining) {
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
        bytes = rewritten.data;
      }
      const stripped = withoutSegmentIndexes(bytes);
      if (stripped.byteLength !== index.segmentBytes[position++]) throw new RecordingChangedError(segment.key);
      yield Buffer.from(stripped);
    }
    elapsedSeconds += partDurationSeconds(part);
  }
}

/**
 * Reads the init segments, plans the episode and streams it to `episodeKey`, with `chapters` as chapter marks
 * in its moov (mp4-chapters.ts). Returns the plan.
 */
export async function buildEpisode(args: {
  bucket: string;
  parts: readonly RecordingPart[];
  episodeKey: string;
  chapters?: readonly Chapter[];
}): Promise<EpisodePlan> {
  const inits = new Map<string, Uint8Array>();
  for (const part of args.parts) {
    if (part.segments.length > 0 && !inits.has(part.initKey)) inits.set(part.initKey, await requireObject(args.bucket, part.initKey));
  }
  const plan = planEpisode(args.parts, inits);
  const recordedInit = plan.parts[0] && inits.get(plan.parts[0].initKey);
  if (!recordedInit) return plan;
  const firstInit = withChapters(recordedInit, args.chapters ?? []);
  const index = await indexEpisode(args.bucket, plan, firstInit);
  const upload = new Upload({
    client: s3Client,
    params: {
      Bucket: args.bucket,
      Key: args.episodeKey,
      Body: Readable.from(episodeBytes(args.bucket, plan, firstInit, index), { objectMode: false }),
      ContentType: EPISODE_CONTENT_TYPE,
    },
  });
  await upload.done();
  return plan;
}
