/**
 * The loopback HTTP server the controller's page is loaded from: the page's files, the IVS web SDK
 * bundle, and the media the page plays (registered under unguessable ids, read in ranges from where it
 * lives by the media proxy).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MediaProxy } from '../media/media-proxy.ts';

export const PAGE_DIR = fileURLToPath(new URL('../page/', import.meta.url));

/** Path of the IVS web broadcast SDK's UMD bundle in node_modules. */
export function ivsSdkBundlePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('amazon-ivs-web-broadcast');
}

export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The media the page plays (register a source, get its path). */
  media: MediaProxy;
  close(): Promise<void>;
}

/** Starts the page server on a loopback ephemeral port. */
export async function startPageServer(): Promise<PageServer> {
  const pageFiles = new Set((await readdir(PAGE_DIR)).filter((f) => /\.(js|html)$/.test(f)));
  const sdkPath = ivsSdkBundlePath();
  const media = new MediaProxy();

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
    if (media.handle(path, req, res)) return;
    return notFound();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    media,
    close: () =>
      new Promise<void>((resolve) => {
        media.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
