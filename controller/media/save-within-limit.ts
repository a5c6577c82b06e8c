/**
 * Streams fetched media to a file while counting its bytes: past `maxBytes` the stream fails with
 * MediaRefusedError, and on any failure the partial file is removed.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MediaRefusedError } from './media-errors.ts';

/** Writes `source` to `filePath`, at most `maxBytes`; returns the byte count. Rethrows what failed. */
export async function saveWithinLimit(source: Readable, filePath: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) callback(new MediaRefusedError(`media is larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, createWriteStream(filePath), { signal });
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  return bytes;
}
