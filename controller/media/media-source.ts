/**
 * A track the controller plays, read in byte ranges where it lives (the media bucket, or an https server):
 * nothing is downloaded ahead, so a track of any length costs only what the page's media element buffers,
 * and a seek reads from where it lands.
 */
import type { Readable } from 'node:stream';

/** Bytes `start` to `end` (inclusive), or to the end of the object when `end` is absent. */
export interface ByteRange {
  start: number;
  end?: number;
}

/** One answer of the media's origin, checked against the limits (type, total size). */
export interface MediaChunk {
  /** 206 for a range, 200 for the whole object (an origin that ignores ranges answers 200). */
  status: 200 | 206;
  contentType: string;
  /** The object's size, when the origin says it. */
  totalBytes: number | undefined;
  /** `bytes a-b/total` of a 206 answer. */
  contentRange: string | undefined;
  /** Length of `body`, when known. */
  contentLength: number | undefined;
  /** The version the origin names (an https server's strong ETag), when it names one. */
  version?: string | undefined;
  body: Readable;
}

/** What the media element asked for lies past the end of the object (HTTP 416). */
export class RangeNotSatisfiableError extends Error {
  constructor(readonly totalBytes: number | undefined) {
    super('the range asked for lies past the end of the media');
    this.name = 'RangeNotSatisfiableError';
  }
}

/** Limits every read is checked against. */
export interface MediaLimits {
  /** Largest object (the total size, not the range). */
  maxBytes: number;
  /** How long an origin may take to answer a read's headers. */
  timeoutMs: number;
  contentTypes: readonly string[];
}

/** A track that can be read in ranges. */
export interface MediaSource {
  /** Reads a range (or the whole object); throws CommandRejectedError subclasses for what no retry mends. */
  read(range: ByteRange | undefined, signal: AbortSignal): Promise<MediaChunk>;
  /**
   * Names the media when its content is the same whenever it is read: an object of the media bucket (each
   * upload has a key of its own), or an https URL at the version (strong ETag) an earlier read returned, every
   * read of which is bound to that version. None for an https URL read for the first time, or whose server
   * names no version.
   */
  readonly identity?: string;
}

/** The object's total size from a `bytes a-b/total` Content-Range, when it names one. */
export function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const total = /\/(\d+)\s*$/.exec(contentRange ?? '')?.[1];
  return total === undefined ? undefined : Number(total);
}

/** A `Range` header's value for a byte range. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}
