/**
 * The host console on the local cloud: the built folder (CONSOLE_DIST_DIR) answered at `/`, `/podcast` and
 * `/assets/...` of the API port, with the same bytes and headers as the console function on AWS
 * (functions/commons/console-assets.ts). The page is told that the local API issues tokens
 * (`POST /_local/token`).
 *
 * LIMITATIONS: serves what `npm run build:console` built; a missing build answers 503 with the command to
 * run (`npm start` builds it first, see scripts/build-console.mjs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIST_DIR, type ConsoleConfig } from '#contract/index';
import { consoleFileFor, readConsoleFile } from '#commons/console-assets';
import { LOCAL_TOKEN_PATH } from '../api/local-token-endpoint.ts';
import type { StaticHandler } from '../api/server.ts';

/** What the console is told on the local cloud. */
export const LOCAL_CONSOLE_CONFIG: ConsoleConfig = { localSignInUrl: LOCAL_TOKEN_PATH };

/** A static handler over the built console of the repository at `root`. */
export function consoleStaticFiles(options: { root: string; config?: ConsoleConfig }): StaticHandler {
  const distDir = join(options.root, CONSOLE_DIST_DIR);
  const config = options.config ?? LOCAL_CONSOLE_CONFIG;
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = new URL(req.url ?? '/', 'http://console.local').pathname;
    if (!consoleFileFor(pathname)) return false;
    const file = await readConsoleFile(distDir, pathname, config);
    if (!file) {
      if (existsSync(join(distDir, 'index.html'))) return false;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('The console is not built: run `npm run build:console` (npm start does it for you).\n');
      return true;
    }
    res.writeHead(200, { ...file.headers, 'content-length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}
