/**
 * A track held in memory, read in byte ranges as the media bucket answers them (206 with Content-Range, 416
 * past the end): what the controller's page server reads when the track is a test's or the benchmark's own
 * tone rather than an object in S3. Records every range asked, for tests that check how media is read.
 */
import { Readable } from 'node:stream';
import { RangeNotSatisfiableError, type ByteRange, type MediaSource } from '#controller/media/media-source';

export function bufferMediaSource(bytes: Buffer, contentType: string, asked: (ByteRange | undefined)[] = []): MediaSource {
  return {
    async read(range) {
      asked.push(range);
      if (range && range.start >= bytes.length) throw new RangeNotSatisfiableError(bytes.length);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? bytes.length - 1, bytes.length - 1);
      const body = Readable.from([bytes.subarray(start, end + 1)]);
      return range
        ? { status: 206, contentType, totalBytes: bytes.length, contentRange: `bytes ${start}-${end}/${bytes.length}`, contentLength: end - start + 1, body }
        : { status: 200, contentType, totalBytes: bytes.length, contentRange: undefined, contentLength: bytes.length, body };
    },
  };
}
