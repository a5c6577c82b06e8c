/**
 * Serves the tracks the page plays, on the controller's loopback page server: each PLAY registers its media
 * under an unguessable path, and every request the page's media element makes there (HTTP ranges, as for
 * any `<audio src>`) becomes a ranged read of the origin (the media bucket, or the https server), streamed
 * through with backpressure. So the controller never holds more of a track than the element buffers,
 * whatever its length, and a seek reads from where it lands.
 *
 * The element only learns that a read failed; why is kept on the registration (`failure()`), for the
 * player to report as the command's reason.
 *
 * A media whose source has an identity (an S3 object, whose content never changes under its upload key, or an
 * https URL at a version an earlier read returned, media-fetcher.ts) gets the same path every time it is
 * registered with this proxy; registered again while an earlier registration
 * lasts, it shares that registration's source and is served until the last is released. Chromium keeps what a media element read in a
 * cache keyed by URL, and frees it only slowly (80 blocks of 32 KiB every 30 s) once the element is gone: a
 * new path for every PLAY left ~1.7 MiB behind each, up to ~200 MiB in the renderer, where the same path for
 * the same track finds its bytes again (docs/benchmarks.md, "The renderer kept every track it read").
 * The path is an HMAC of the identity under a key of this proxy, so it stays unguessable.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CommandRejectedError } from '../errors.ts';
import { MediaRefusedError } from './media-errors.ts';
import { RangeNotSatisfiableError, type ByteRange, type MediaSource } from './media-source.ts';

/** Why the last read of a registered media failed; `final` when no retry can mend it. */
export interface MediaFailure {
  reason: string;
  final: boolean;
}

/** A registered media: its path on the page server. */
export interface MediaHandle {
  path: string;
  /** Why the last read failed, if it did. */
  failure(): MediaFailure | undefined;
  /** Stops serving it and ends its reads in flight. */
  release(): void;
}

interface Entry {
  source: MediaSource;
  maxBytes: number;
  failure: MediaFailure | undefined;
  reads: Set<AbortController>;
  /** Registrations not yet released (several for a media registered under one identity). */
  holders: number;
}

export const MEDIA_PATH_PREFIX = '/media/';

export class MediaProxy {
  private readonly entries = new Map<string, Entry>();

  /** Keys the paths of media registered under an identity. */
  private readonly pathKey = randomBytes(32);

  /**
   * Makes a media source servable to the page; reads past `maxBytes` fail. A source with an identity (the same
   * content whenever it is read), registered while another registration of it lasts, shares its path and source.
   */
  register(source: MediaSource, maxBytes: number): MediaHandle {
    const identity = source.identity;
    const path = `${MEDIA_PATH_PREFIX}${identity === undefined ? randomUUID() : createHmac('sha256', this.pathKey).update(identity).digest('base64url')}`;
    let entry = this.entries.get(path);
    if (entry) entry.holders++;
    else {
      entry = { source, maxBytes, failure: undefined, reads: new Set(), holders: 1 };
      this.entries.set(path, entry);
    }
    const held = entry;
    let released = false;
    return {
      path,
      failure: () => held.failure,
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders > 0) return;
        if (this.entries.get(path) === held) this.entries.delete(path);
        for (const read of held.reads) read.abort();
      },
    };
  }

  /** How many media are registered (each PLAY's until it is replaced or ends). */
  get size(): number {
    return this.entries.size;
  }

  /** Answers a request for registered media; false when `path` is not one. */
  handle(path: string, req: IncomingMessage, res: ServerResponse): boolean {
    const entry = this.entries.get(path);
    if (!entry) return false;
    void this.serve(entry, req, res);
    return true;
  }

  /** Ends every read in flight and forgets every registration. */
  close(): void {
    for (const entry of this.entries.values()) for (const read of entry.reads) read.abort();
    this.entries.clear();
  }

  private async serve(entry: Entry, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = new AbortController();
    entry.reads.add(read);
    res.once('close', () => {
      read.abort();
      entry.reads.delete(read);
    });
    const range = parseRange(req.headers.range);
    try {
      const chunk = await entry.source.read(range, read.signal);
      if (read.signal.aborted) {
        chunk.body.destroy();
        return;
      }
      entry.failure = undefined;
      res.writeHead(chunk.status, {
        'content-type': chunk.contentType,
        'cache-control': 'no-store',
        ...(chunk.status === 206 ? { 'accept-ranges': 'bytes' } : {}),
        ...(chunk.contentRange ? { 'content-range': chunk.contentRange } : {}),
        ...(chunk.contentLength !== undefined ? { 'content-length': chunk.contentLength } : {}),
      });
      const start = chunk.status === 206 ? (range?.start ?? 0) : 0;
      await pipeline(chunk.body, byteLimit(start, entry.maxBytes), res, { signal: read.signal }).catch((error: unknown) => {
        if (error instanceof MediaRefusedError) entry.failure = { reason: error.message, final: true };
        res.destroy();
      });
    } catch (error) {
      if (read.signal.aborted) return;
      if (error instanceof RangeNotSatisfiableError) {
        res.writeHead(416, { 'content-range': `bytes */${error.totalBytes ?? '*'}` }).end();
        return;
      }
      entry.failure = { reason: (error as Error).message, final: error instanceof CommandRejectedError };
      res.writeHead(error instanceof CommandRejectedError ? 403 : 502, { 'content-type': 'text/plain' }).end('media read failed');
    }
  }
}

/** A single `bytes=a-b` or `bytes=a-` range; anything else reads the whole object. */
export function parseRange(header: string | undefined): ByteRange | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] ? Number(match[2]) : undefined;
  if (end !== undefined && end < start) return undefined;
  return end === undefined ? { start } : { start, end };
}

/** Fails a body that would take the media past `maxBytes` (an origin that did not say the size). */
function byteLimit(start: number, maxBytes: number): Transform {
  let offset = start;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      offset += chunk.length;
      if (offset > maxBytes) callback(new MediaRefusedError(`media is larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}
