import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, NoSuchKey, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { createMediaFetcher, type MediaFetcher } from '#controller/media/media-fetcher';
import { MediaProxy } from '#controller/media/media-proxy';
import type { ByteRange } from '#controller/media/media-source';
import type { MediaPolicy, Resolver } from '#controller/media/media-policy';
import { MediaChangedError, MediaFetchError, MediaRefusedError } from '#controller/media/media-errors';
import { CommandRejectedError } from '#controller/errors';

const BUCKET = 'shelcaster-media-000000000000-us-east-1';
const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
/** Opens a programUrl and reads a range (or all of it): the answer's status, type, total size and bytes. */
async function readAll(fetcher: MediaFetcher, url: string, range?: ByteRange) {
  const chunk = await fetcher.open(url).read(range, new AbortController().signal);
  const parts: Buffer[] = [];
  for await (const part of chunk.body) parts.push(part as Buffer);
  const body = Buffer.concat(parts);
  return { status: chunk.status, contentType: chunk.contentType, totalBytes: chunk.totalBytes, contentRange: chunk.contentRange, bytes: body.length, body };
}

/** A Node stream as GetObject's Body (the SDK's Node body is a Readable with mixins the fetcher does not use). */
const asBody = (stream: Readable) => stream as unknown as GetObjectCommandOutput['Body'];

describe('Media fetcher: policy decisions (shared URL policy, injected resolver)', () => {
  let fetcher: MediaFetcher;
  const resolve = vi.fn<Resolver>();
  beforeAll(async () => {
    fetcher = await createMediaFetcher({ s3, mediaBucket: BUCKET, resolve });
  });
  beforeEach(() => resolve.mockReset());

  it.each([
    'http://media.example.org/a.mp3',
    'https://127.0.0.1/a.mp3',
    'https://169.254.169.254/latest/meta-data',
    'https://169.254.170.2/v2/credentials',
    'https://[::1]/a.mp3',
    'https://[fd00::1]/a.mp3',
    'https://[::ffff:10.0.0.1]/a.mp3',
    'https://2130706433/a.mp3',
    'https://0x7f.1/a.mp3',
    'https://user@media.example.org/a.mp3',
    'file:///etc/passwd',
    's3://another-bucket/media/a.mp3',
    `s3://${BUCKET}/recordings/a.mp3`,
  ])('refuses %s without resolving or connecting', async (url) => {
    await expect(readAll(fetcher, url)).rejects.toBeInstanceOf(MediaRefusedError);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('refuses a name when any of its addresses is not public', async () => {
    resolve.mockResolvedValue([
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ]);
    const refused = (await readAll(fetcher, 'https://media.example.org/a.mp3').catch((error: unknown) => error)) as MediaRefusedError;
    expect(refused).toBeInstanceOf(MediaRefusedError);
    expect(refused.message).toBe('media host is not a public address');
    expect(refused.detail).toBe('media.example.org resolves to 10.0.0.7');
    expect(resolve).toHaveBeenCalledWith('media.example.org');
  });

  it.each(['127.0.0.1', '169.254.169.254', '::1', 'fe80::1', '::ffff:127.0.0.1', '100.64.0.1'])(
    'refuses a name that resolves to %s',
    async (address) => {
      resolve.mockResolvedValue([{ address, family: address.includes(':') ? 6 : 4 }]);
      const refused = readAll(fetcher, 'https://media.example.org/a.mp3');
      await expect(refused).rejects.toBeInstanceOf(MediaRefusedError);
      // Nothing of what the resolver said reaches the command's reason.
      await expect(refused).rejects.toThrow(/^media host is not a public address$/);
    },
  );

  it('fails a name that does not resolve with the same reason as a private one (no DNS probing)', async () => {
    const failing = await createMediaFetcher({
      s3,
      mediaBucket: BUCKET,
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    await expect(readAll(failing, 'https://nowhere.example.org/a.mp3')).rejects.toThrow(/^media host is not a public address$/);
  });

  it('fails a name without any address with the same reason', async () => {
    resolve.mockResolvedValue([]);
    await expect(readAll(fetcher, 'https://media.example.org/a.mp3')).rejects.toThrow(/^media host is not a public address$/);
  });
});

describe('Media fetcher: https against a loopback server (permissive policy, test only)', () => {
  let dir: string;
  let cert: Buffer;
  let key: Buffer;
  let server: Server;
  let port: number;
  let fetcher: MediaFetcher;
  let handler: (path: string, res: import('node:http').ServerResponse) => void;
  let handlerWithRequest: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const allowed = vi.fn((address: string) => address === '127.0.0.1');
  const policy: MediaPolicy = {
    checkUrl: (raw) => {
      const url = new URL(raw);
      return url.protocol === 'https:' ? { allowed: true, kind: 'https', url } : { allowed: false, reason: 'not https' };
    },
    isAllowedAddress: allowed,
  };
  /** Test names resolve only through the injected resolver; `private.test-host.net` is a private address. */
  const resolve = vi.fn<Resolver>(async (host) =>
    host === 'private.test-host.net' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '127.0.0.1', family: 4 }],
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-fetch-test-'));
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=media.test-host.net',
      '-addext', 'subjectAltName=DNS:media.test-host.net,DNS:other.test-host.net,DNS:private.test-host.net',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    cert = await readFile(join(dir, 'cert.pem'));
    key = await readFile(join(dir, 'key.pem'));
    server = createServer({ cert, key }, (req, res) => (handlerWithRequest ? handlerWithRequest(req, res) : handler(req.url ?? '/', res)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    fetcher = await createMediaFetcher({
      s3,
      mediaBucket: BUCKET,
      policy,
      resolve,
      tls: { ca: cert },
      // 5 s: a TLS handshake with a loopback server on a loaded 2-core machine took more than 1 s.
      limits: { maxBytes: 10_000, timeoutMs: 5_000, contentTypes: ['audio/wav', 'audio/mpeg'] },
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    resolve.mockClear();
    allowed.mockClear();
    handlerWithRequest = undefined;
  });

  const url = (path: string, host = 'media.test-host.net') => `https://${host}:${port}${path}`;

  it('reads through the resolver, checking the address it resolved and the one it connected to', async () => {
    handler = (_p, res) => res.writeHead(200, { 'content-type': 'audio/wav; codecs=1' }).end(Buffer.alloc(5000, 1));
    const read = await readAll(fetcher, url('/tone.wav'));
    expect(read).toMatchObject({ status: 200, bytes: 5000, contentType: 'audio/wav' });
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(allowed.mock.calls).toEqual([['127.0.0.1'], ['127.0.0.1']]);
  });

  it('reads a byte range (the Range header goes to the origin; its 206 and Content-Range come back)', async () => {
    const whole = Buffer.from(Array.from({ length: 8000 }, (_, i) => i % 251));
    let asked: string | undefined;
    handlerWithRequest = (req, res) => {
      asked = req.headers.range;
      const [, from, to] = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '') ?? [];
      const start = Number(from);
      const end = to ? Number(to) : whole.length - 1;
      res.writeHead(206, { 'content-type': 'audio/mpeg', 'content-range': `bytes ${start}-${end}/${whole.length}`, 'content-length': end - start + 1 });
      res.end(whole.subarray(start, end + 1));
    };
    const read = await readAll(fetcher, url('/long.mp3'), { start: 6000 });
    expect(asked).toBe('bytes=6000-');
    expect(read).toMatchObject({ status: 206, totalBytes: 8000, contentRange: 'bytes 6000-7999/8000', bytes: 2000 });
    expect(read.body.equals(whole.subarray(6000))).toBe(true);
    // A server that names no version: https media may change between reads, so no identity, and the page
    // gets a new path for it each PLAY.
    expect(fetcher.open(url('/long.mp3')).identity).toBeUndefined();
  });

  /** A server of one URL at `current` (a version): answers If-Match of another version with 412, unless `ignoresIfMatch`. */
  function versionedServer(state: { current: string; ignoresIfMatch?: boolean; ifMatch: (string | undefined)[] }) {
    handlerWithRequest = (req, res) => {
      const ifMatch = req.headers['if-match'];
      state.ifMatch.push(ifMatch);
      if (ifMatch !== undefined && ifMatch !== state.current && !state.ignoresIfMatch) {
        res.writeHead(412).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'audio/mpeg', etag: state.current }).end(Buffer.from(state.current));
    };
  }

  it('gives an https URL played before the version its reads returned: one identity every PLAY, each read bound to it', async () => {
    const state = { current: '"v1"', ifMatch: [] as (string | undefined)[] };
    versionedServer(state);
    const first = fetcher.open(url('/jingle.mp3?versioned'));
    expect(first.identity).toBeUndefined();
    await first.read(undefined, new AbortController().signal).then((chunk) => chunk.body.resume());
    const second = fetcher.open(url('/jingle.mp3?versioned'));
    const third = fetcher.open(url('/jingle.mp3?versioned'));
    expect(second.identity).toBe(`${url('/jingle.mp3?versioned')} "v1"`);
    expect(third.identity).toBe(second.identity);
    const read = await second.read({ start: 0 }, new AbortController().signal);
    read.body.resume();
    expect(read.version).toBe('"v1"');
    expect(state.ifMatch).toEqual([undefined, '"v1"']);
  });

  it('fails a read of a version the server no longer has as transient, and plays the URL afresh the next time', async () => {
    const state = { current: '"v1"', ifMatch: [] as (string | undefined)[] };
    versionedServer(state);
    await fetcher.open(url('/bed.mp3?changes')).read(undefined, new AbortController().signal).then((chunk) => chunk.body.resume());
    const bound = fetcher.open(url('/bed.mp3?changes'));
    state.current = '"v2"';
    const changed = await bound.read(undefined, new AbortController().signal).catch((error: unknown) => error);
    expect(changed).toBeInstanceOf(MediaChangedError);
    // Not final: the command is tried again.
    expect(changed).not.toBeInstanceOf(CommandRejectedError);
    const afresh = fetcher.open(url('/bed.mp3?changes'));
    expect(afresh.identity).toBeUndefined();
    const read = await readAll(fetcher, url('/bed.mp3?changes'));
    expect(read.body.toString()).toBe('"v2"');
    expect(fetcher.open(url('/bed.mp3?changes')).identity).toBe(`${url('/bed.mp3?changes')} "v2"`);
    expect(state.ifMatch).toEqual([undefined, '"v1"', undefined]);
  });

  it('takes an answer of another version from a server that ignores If-Match as a change, never its bytes', async () => {
    const state = { current: '"v1"', ignoresIfMatch: true, ifMatch: [] as (string | undefined)[] };
    versionedServer(state);
    await fetcher.open(url('/clip.mp3?ignores')).read(undefined, new AbortController().signal).then((chunk) => chunk.body.resume());
    const bound = fetcher.open(url('/clip.mp3?ignores'));
    state.current = '"v3"';
    await expect(bound.read(undefined, new AbortController().signal)).rejects.toBeInstanceOf(MediaChangedError);
    expect(fetcher.open(url('/clip.mp3?ignores')).identity).toBeUndefined();
  });

  it("gives the page one path for an https URL's later PLAYs, while its version lasts (the proxy keys paths by identity)", async () => {
    const state = { current: '"v1"', ifMatch: [] as (string | undefined)[] };
    versionedServer(state);
    const proxy = new MediaProxy();
    const play = () => proxy.register(fetcher.open(url('/pad.mp3?plays')), 10_000);
    const first = play();
    await fetcher.open(url('/pad.mp3?plays')).read(undefined, new AbortController().signal).then((chunk) => chunk.body.resume());
    first.release();
    const second = play();
    second.release();
    const third = play();
    expect(second.path).not.toBe(first.path);
    expect(third.path).toBe(second.path);
    third.release();
  });

  it('takes a weak ETag for no version (it allows other bytes of the same meaning)', async () => {
    handlerWithRequest = (_req, res) => res.writeHead(200, { 'content-type': 'audio/mpeg', etag: 'W/"v1"' }).end(Buffer.alloc(10));
    await readAll(fetcher, url('/weak.mp3'));
    expect(fetcher.open(url('/weak.mp3')).identity).toBeUndefined();
  });

  it('refuses a range of an object over the limit (the total size is what counts)', async () => {
    handlerWithRequest = (_req, res) => res.writeHead(206, { 'content-type': 'audio/mpeg', 'content-range': 'bytes 0-9/50000' }).end(Buffer.alloc(10));
    await expect(readAll(fetcher, url('/huge.mp3'), { start: 0, end: 9 })).rejects.toThrow('larger than 10000 bytes');
  });

  it('follows a redirect, resolving and checking the new host', async () => {
    handler = (p, res) =>
      p === '/start'
        ? res.writeHead(302, { location: url('/tone.wav', 'other.test-host.net') }).end()
        : res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(100));
    await expect(readAll(fetcher, url('/start'))).resolves.toMatchObject({ bytes: 100 });
    expect(resolve.mock.calls).toEqual([['media.test-host.net'], ['other.test-host.net']]);
  });

  it('refuses a redirect to a host with a private address (DNS rebinding through redirects)', async () => {
    handler = (_p, res) => res.writeHead(307, { location: url('/x', 'private.test-host.net') }).end();
    await expect(readAll(fetcher, url('/start'))).rejects.toThrow(/^media host is not a public address$/);
  });

  it('refuses a redirect to another scheme', async () => {
    handler = (_p, res) => res.writeHead(301, { location: `http://media.test-host.net:${port}/x` }).end();
    await expect(readAll(fetcher, url('/start'))).rejects.toThrow('media redirect refused: not https');
  });

  it('gives up after five redirects', async () => {
    handler = (p, res) => res.writeHead(302, { location: `${p}x` }).end();
    await expect(readAll(fetcher, url('/r'))).rejects.toThrow('redirected more than 5 times');
    expect(resolve).toHaveBeenCalledTimes(6);
  });

  it('refuses a content type that is not accepted audio', async () => {
    handler = (_p, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    await expect(readAll(fetcher, url('/page'))).rejects.toThrow('content type "text/html"');
  });

  it('refuses a declared length over the limit', async () => {
    handler = (_p, res) => res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': '20000' }).end(Buffer.alloc(20000));
    await expect(readAll(fetcher, url('/big'))).rejects.toThrow('larger than 10000 bytes');
  });

  it('times out a server that does not answer', async () => {
    handler = () => undefined;
    await expect(readAll(fetcher, url('/stall'))).rejects.toThrow('timed out');
  });

  it('fails on an HTTP error status', async () => {
    handler = (_p, res) => res.writeHead(404).end();
    await expect(readAll(fetcher, url('/missing'))).rejects.toThrow('HTTP 404');
  });

  it('names only the error code of a failed connection, never the address and port it tried', async () => {
    const closed = await new Promise<number>((resolvePort) => {
      const probe = createServer({ cert, key });
      probe.listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolvePort(free));
      });
    });
    const error = (await readAll(fetcher, `https://media.test-host.net:${closed}/a.wav`).catch((e: unknown) => e)) as MediaFetchError;
    expect(error).toBeInstanceOf(MediaFetchError);
    expect(error.message).toBe('media fetch failed (ECONNREFUSED)');
    expect(error.detail).toContain(`127.0.0.1:${closed}`);
  });
});

describe('Media fetcher: the media bucket', () => {
  let fetcher: MediaFetcher;
  beforeAll(async () => {
    fetcher = await createMediaFetcher({ s3, mediaBucket: BUCKET });
  });
  beforeEach(() => s3Mock.reset());

  it('names a media object by its bucket and key (its content is the same whenever it is read)', () => {
    expect(fetcher.open(`s3://${BUCKET}/media/host/a.wav`).identity).toBe(`s3://${BUCKET}/media/host/a.wav`);
  });

  it('reads a media object with GetObject', async () => {
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: 'media/host/a.wav' }).resolves({
      ContentType: 'audio/wav',
      ContentLength: 4,
      Body: asBody(Readable.from([Buffer.from('RIFF')])),
    });
    const read = await readAll(fetcher, `s3://${BUCKET}/media/host/a.wav`);
    expect(read).toMatchObject({ status: 200, totalBytes: 4 });
    expect(read.body.toString()).toBe('RIFF');
  });

  it('reads a range with GetObject Range, the total from its ContentRange', async () => {
    s3Mock.on(GetObjectCommand, { Bucket: BUCKET, Key: 'media/host/long.mp3', Range: 'bytes=1000-' }).resolves({
      ContentType: 'audio/mpeg',
      ContentLength: 4,
      ContentRange: 'bytes 1000-1003/1004',
      Body: asBody(Readable.from([Buffer.from('tail')])),
    });
    const read = await readAll(fetcher, `s3://${BUCKET}/media/host/long.mp3`, { start: 1000 });
    expect(read).toMatchObject({ status: 206, totalBytes: 1004, contentRange: 'bytes 1000-1003/1004', bytes: 4 });
  });

  it('refuses an object over the limit from the total a range names', async () => {
    const small = createMediaFetcher({ s3, mediaBucket: BUCKET, limits: { maxBytes: 1000, timeoutMs: 1000, contentTypes: ['audio/mpeg'] } });
    s3Mock.on(GetObjectCommand).resolves({ ContentType: 'audio/mpeg', ContentRange: 'bytes 0-0/5000', Body: asBody(Readable.from([Buffer.from('x')])) });
    await expect(readAll(small, `s3://${BUCKET}/media/host/big.mp3`, { start: 0, end: 0 })).rejects.toThrow('larger than 1000 bytes');
  });

  it('fails a missing object as final, and passes other S3 errors on as transient', async () => {
    s3Mock.on(GetObjectCommand).rejectsOnce(new NoSuchKey({ message: 'no', $metadata: { httpStatusCode: 404 } }));
    await expect(readAll(fetcher, `s3://${BUCKET}/media/a.wav`)).rejects.toBeInstanceOf(MediaFetchError);
    s3Mock.on(GetObjectCommand).rejects(Object.assign(new Error('SlowDown'), { name: 'SlowDown' }));
    const error = await readAll(fetcher, `s3://${BUCKET}/media/a.wav`).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MediaFetchError);
  });

  it('refuses an object of the wrong type', async () => {
    s3Mock.on(GetObjectCommand).resolves({ ContentType: 'text/html', Body: asBody(Readable.from([Buffer.from('x')])) });
    await expect(readAll(fetcher, `s3://${BUCKET}/media/a.wav`)).rejects.toBeInstanceOf(MediaRefusedError);
  });
});
