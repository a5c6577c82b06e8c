/**
 * The host console's built files (CONSOLE_DIST_DIR) as answered over HTTP: which file a path names, its
 * content type and caching, and the page's configuration put into each page. Shared by the console
 * function (AWS) and the local cloud's static handler, so both answer the same bytes and headers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CONSOLE_ASSETS_PREFIX,
  CONSOLE_CONFIG_ELEMENT_ID,
  CONSOLE_CONFIG_PLACEHOLDER,
  CONSOLE_PAGES,
  type ConsoleConfig,
} from '#contract/index';

/** One file of the console, ready to send. */
export interface ConsoleFile {
  body: Buffer;
  headers: Record<string, string>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Headers every console answer carries. */
const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Assets have content hashes in their names: cache them for a year. The page itself is revalidated. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';

/** The file a request path names inside the built folder (a page, `assets/...`); undefined for any other path. */
export function consoleFileFor(pathname: string): string | undefined {
  const page = (CONSOLE_PAGES as Record<string, string>)[pathname];
  if (page) return page;
  if (!pathname.startsWith(CONSOLE_ASSETS_PREFIX)) return undefined;
  const segments = pathname.slice(1).split('/');
  if (segments.some((segment) => !/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(segment))) return undefined;
  return segments.join('/');
}

/** The content type of a file name; files of other kinds are not served. */
export function contentTypeOf(file: string): string | undefined {
  const extension = /\.[a-z0-9]+$/.exec(file)?.[0] ?? '';
  return CONTENT_TYPES[extension];
}

/** A page with the configuration element in place of the placeholder. */
export function withConsoleConfig(html: string, config: ConsoleConfig): string {
  // `<` escaped so no value can close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return html.replace(CONSOLE_CONFIG_PLACEHOLDER, `<script id="${CONSOLE_CONFIG_ELEMENT_ID}" type="application/json">${json}</script>`);
}

/** Reads the file a request path names from the built folder; undefined when there is none. */
export async function readConsoleFile(distDir: string, pathname: string, config: ConsoleConfig): Promise<ConsoleFile | undefined> {
  const file = consoleFileFor(pathname);
  const contentType = file ? contentTypeOf(file) : undefined;
  if (!file || !contentType) return undefined;
  let body: Buffer;
  try {
    body = await readFile(join(distDir, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  const isPage = (Object.values(CONSOLE_PAGES) as string[]).includes(file);
  if (isPage) body = Buffer.from(withConsoleConfig(body.toString('utf8'), config));
  return {
    body,
    headers: {
      ...COMMON_HEADERS,
      'content-type': contentType,
      'cache-control': isPage ? PAGE_CACHE : ASSET_CACHE,
      ...(isPage ? { 'x-frame-options': 'DENY' } : {}),
    },
  };
}
