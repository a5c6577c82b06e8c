/**
 * The loopback HTTP server the controller's page is loaded from: the page's files, the browser code it
 * shares with the host console (`stage-client/`), the IVS web SDK bundle, and the media the page plays
 * (registered under unguessable ids, read in ranges from where it lives by the media proxy).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TRUE_PEAK_CEILING_DBTP } from '#contract/decks';
import { MediaProxy } from '../media/media-proxy.ts';

/**
 * True in the controller's bundle (scripts/build-controller.mjs defines it), where the page's files sit beside
 * main.js; undefined when this module runs from its source.
 */
declare const CONTROLLER_BUNDLE: boolean | undefined;
const BUNDLED = typeof CONTROLLER_BUNDLE !== 'undefined' && CONTROLLER_BUNDLE;

export const PAGE_DIR = fileURLToPath(new URL(BUNDLED ? './page/' : '../page/', import.meta.url));
/** The browser code shared by the controller's page and the host console. */
export const STAGE_CLIENT_DIR = fileURLToPath(new URL(BUNDLED ? './stage-client/' : '../../stage-client/', import.meta.url));

/** The controller page's URL on a page server (its limiter's ceiling in the query). */
export function programPageUrl(origin: string): string {
  return `${origin}/?ceilingDbtp=${TRUE_PEAK_CEILING_DBTP}`;
}

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
  const sharedFiles = new Set((await readdir(STAGE_CLIENT_DIR)).filter((f) => f.endsWith('.js')));
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
    const sharedFile = /^\/stage-client\/([\w.-]+)$/.exec(path)?.[1];
    if (sharedFile && sharedFiles.has(sharedFile)) return send(join(STAGE_CLIENT_DIR, sharedFile), 'text/javascript; charset=utf-8');
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
