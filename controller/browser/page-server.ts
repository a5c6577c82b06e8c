/**
 * The loopback HTTP server the controller's page is loaded from: the page's files, the browser code it
 * shares with the host console (`stage-client/`), the IVS web SDK bundle, and the media files the page
 * plays (registered under unguessable ids).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const PAGE_DIR = fileURLToPath(new URL('../page/', import.meta.url));
/** The browser code shared by the controller's page and the host console. */
export const STAGE_CLIENT_DIR = fileURLToPath(new URL('../../stage-client/', import.meta.url));

/** Path of the IVS web broadcast SDK's UMD bundle in node_modules. */
export function ivsSdkBundlePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('amazon-ivs-web-broadcast');
}

export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Makes a file servable to the page; returns its path on the server. */
  addMedia(filePath: string): string;
  /** Stops serving a media file. */
  removeMedia(mediaPath: string): void;
  close(): Promise<void>;
}

/** Starts the page server on a loopback ephemeral port. */
export async function startPageServer(): Promise<PageServer> {
  const pageFiles = new Set((await readdir(PAGE_DIR)).filter((f) => /\.(js|html)$/.test(f)));
  const sharedFiles = new Set((await readdir(STAGE_CLIENT_DIR)).filter((f) => f.endsWith('.js')));
  const sdkPath = ivsSdkBundlePath();
  const media = new Map<string, string>();

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const send = (file: string, contentType: string) => {
      stat(file).then(
        (s) => {
          res.writeHead(200, { 'content-type': contentType, 'content-length': s.size, 'cache-control': 'no-store' });
          createReadStream(file).pipe(res);
        },
        () => notFound(),
      );
    };
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    };
    if (req.method !== 'GET') return notFound();
    if (path === '/') return send(join(PAGE_DIR, 'index.html'), 'text/html; charset=utf-8');
    if (path === '/vendor/amazon-ivs-web-broadcast.js') return send(sdkPath, 'text/javascript; charset=utf-8');
    const pageFile = /^\/page\/([\w.-]+)$/.exec(path)?.[1];
    if (pageFile && pageFiles.has(pageFile)) return send(join(PAGE_DIR, pageFile), 'text/javascript; charset=utf-8');
    const sharedFile = /^\/stage-client\/([\w.-]+)$/.exec(path)?.[1];
    if (sharedFile && sharedFiles.has(sharedFile)) return send(join(STAGE_CLIENT_DIR, sharedFile), 'text/javascript; charset=utf-8');
    const mediaFile = media.get(path);
    if (mediaFile) return send(mediaFile, 'application/octet-stream');
    return notFound();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    addMedia(filePath) {
      const mediaPath = `/media/${randomUUID()}`;
      media.set(mediaPath, filePath);
      return mediaPath;
    },
    removeMedia(mediaPath) {
      media.delete(mediaPath);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
