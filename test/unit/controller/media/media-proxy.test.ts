import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaProxy, parseRange } from '#controller/media/media-proxy';
import { MediaFetchError, MediaRefusedError } from '#controller/media/media-errors';
import type { ByteRange, MediaSource } from '#controller/media/media-source';
import { bufferMediaSource } from '#harness/buffer-media-source';

/** A media source over a buffer that answers ranges as S3 does, recording what was asked. */
const bufferSource = (bytes: Buffer, asked: (ByteRange | undefined)[] = []): MediaSource => bufferMediaSource(bytes, 'audio/mpeg', asked);
/** The same, with an identity (as an S3 object's source has). */
const namedSource = (identity: string, bytes: Buffer, asked: (ByteRange | undefined)[] = []): MediaSource => ({ ...bufferSource(bytes, asked), identity });

describe('MediaProxy: the page reads registered media in ranges', () => {
  const proxy = new MediaProxy();
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!proxy.handle(new URL(req.url ?? '/', 'http://x').pathname, req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 256));

  it('answers a range with 206 and only those bytes, asking the origin for that range only', async () => {
    const asked: (ByteRange | undefined)[] = [];
    const media = proxy.register(bufferSource(bytes, asked), 1_000_000);
    const answer = await fetch(`${origin}${media.path}`, { headers: { range: 'bytes=9000-' } });
    expect(answer.status).toBe(206);
    expect(answer.headers.get('content-range')).toBe('bytes 9000-9999/10000');
    expect(answer.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes.subarray(9000))).toBe(true);
    expect(asked).toEqual([{ start: 9000 }]);
    media.release();
  });

  it('answers 404 for a path that is not (or no longer) registered', async () => {
    const media = proxy.register(bufferSource(bytes), 1_000_000);
    media.release();
    expect((await fetch(`${origin}${media.path}`)).status).toBe(404);
  });

  it('answers 416 past the end', async () => {
    const media = proxy.register(bufferSource(bytes), 1_000_000);
    const answer = await fetch(`${origin}${media.path}`, { headers: { range: 'bytes=20000-' } });
    expect(answer.status).toBe(416);
    expect(answer.headers.get('content-range')).toBe('bytes */10000');
    media.release();
  });

  it('keeps why a read failed, final or not, for the player to report', async () => {
    const refused = proxy.register({ read: async () => Promise.reject(new MediaRefusedError('media content type "text/html" is not an accepted audio type')) }, 1000);
    expect((await fetch(`${origin}${refused.path}`)).status).toBe(403);
    expect(refused.failure()).toEqual({ reason: 'media content type "text/html" is not an accepted audio type', final: true });
    const missing = proxy.register({ read: async () => Promise.reject(new MediaFetchError('media object media/a.mp3 does not exist')) }, 1000);
    await fetch(`${origin}${missing.path}`);
    expect(missing.failure()?.final).toBe(true);
    const throttled = proxy.register({ read: async () => Promise.reject(Object.assign(new Error('SlowDown'), { name: 'SlowDown' })) }, 1000);
    expect((await fetch(`${origin}${throttled.path}`)).status).toBe(502);
    expect(throttled.failure()).toEqual({ reason: 'SlowDown', final: false });
  });

  it('cuts a body that goes past the limit when the origin did not say the size', async () => {
    const endless: MediaSource = {
      read: async () => ({
        status: 200,
        contentType: 'audio/mpeg',
        totalBytes: undefined,
        contentRange: undefined,
        contentLength: undefined,
        body: Readable.from(Array.from({ length: 30 }, () => Buffer.alloc(1000))),
      }),
    };
    const media = proxy.register(endless, 10_000);
    const answer = await fetch(`${origin}${media.path}`);
    await expect(answer.arrayBuffer()).rejects.toThrow();
    expect(media.failure()).toEqual({ reason: 'media is larger than 10000 bytes', final: true });
  });

  it('ends the origin read when the page goes away, and when the media is released', async () => {
    let destroyed = 0;
    const slow: MediaSource = {
      read: async () => {
        const body = new Readable({ read() {} });
        body.push(Buffer.alloc(100));
        body.on('close', () => destroyed++);
        return { status: 200, contentType: 'audio/mpeg', totalBytes: 1_000_000, contentRange: undefined, contentLength: 1_000_000, body };
      },
    };
    const media = proxy.register(slow, 10_000_000);
    const answer = await fetch(`${origin}${media.path}`);
    const reader = answer.body!.getReader();
    await reader.read();
    media.release();
    await expect.poll(() => destroyed).toBe(1);
  });

  it('gives a media whose source has an identity one path while a registration of it lasts, and serves it until the last is released', async () => {
    const firstAsked: (ByteRange | undefined)[] = [];
    const secondAsked: (ByteRange | undefined)[] = [];
    const first = proxy.register(namedSource('s3://media/host-1/abc/jingle.mp3', bytes, firstAsked), 1_000_000);
    const second = proxy.register(namedSource('s3://media/host-1/abc/jingle.mp3', bytes, secondAsked), 1_000_000);
    const other = proxy.register(namedSource('s3://media/host-1/def/bed.mp3', bytes), 1_000_000);
    expect(second.path).toBe(first.path);
    expect(other.path).not.toBe(first.path);
    // Unguessable: not the identity, and another proxy (another controller) keys it differently.
    expect(first.path).not.toContain('jingle');
    expect(new MediaProxy().register(namedSource('s3://media/host-1/abc/jingle.mp3', bytes), 1).path).not.toBe(first.path);
    const size = proxy.size;
    first.release();
    first.release(); // a second release of the same handle changes nothing
    expect(proxy.size).toBe(size);
    expect((await fetch(`${origin}${second.path}`, { headers: { range: 'bytes=0-9' } })).status).toBe(206);
    expect(firstAsked).toEqual([{ start: 0, end: 9 }]); // the first registration's source serves it
    expect(secondAsked).toEqual([]);
    second.release();
    expect(proxy.size).toBe(size - 1);
    expect((await fetch(`${origin}${second.path}`)).status).toBe(404);
    // Registered again afterwards: the same path, served by the new source.
    const third = proxy.register(namedSource('s3://media/host-1/abc/jingle.mp3', bytes, secondAsked), 1_000_000);
    expect(third.path).toBe(first.path);
    expect((await fetch(`${origin}${third.path}`, { headers: { range: 'bytes=5-9' } })).status).toBe(206);
    expect(secondAsked).toEqual([{ start: 5, end: 9 }]);
    third.release();
    other.release();
  });

  it('gives a media whose source has no identity (https) a path of its own each time', () => {
    const a = proxy.register(bufferSource(bytes), 1_000_000);
    const b = proxy.register(bufferSource(bytes), 1_000_000);
    expect(a.path).not.toBe(b.path);
    a.release();
    b.release();
  });
});

describe('parseRange', () => {
  it.each([
    ['bytes=0-', { start: 0 }],
    ['bytes=100-199', { start: 100, end: 199 }],
    [undefined, undefined],
    ['bytes=-500', undefined],
    ['bytes=0-1,5-6', undefined],
    ['bytes=9-3', undefined],
  ])('%s → %j', (header, range) => {
    expect(parseRange(header)).toEqual(range);
  });
});
