import '../support/env.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONFIG_PLACEHOLDER } from '#contract/index';
import { AWS_CONSOLE_CONFIG, consoleHandler } from '../../../../functions/api/serve-console.ts';

let dist: string;

beforeAll(() => {
  dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), `<!doctype html><head>${CONSOLE_CONFIG_PLACEHOLDER}</head><body></body>`);
  writeFileSync(join(dist, 'call.html'), `<!doctype html><head>${CONSOLE_CONFIG_PLACEHOLDER}</head><body>call</body>`);
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log("hi")');
  writeFileSync(join(dist, 'secret.txt'), 'not for the web');
});

const get = (rawPath: string) => consoleHandler(dist, AWS_CONSOLE_CONFIG)({ rawPath });
const text = (body: string | undefined) => Buffer.from(body ?? '', 'base64').toString('utf8');

describe('Function: serve-console', () => {
  it.each(['/', '/podcast', '/call'])('answers %s with its page, with its configuration and not revalidated blindly', async (path) => {
    const response = await get(path);

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'x-frame-options': 'DENY' });
    expect(text(response.body)).toContain('<script id="shelcaster-console-config" type="application/json">{}</script>');
    expect(text(response.body)).not.toContain(CONSOLE_CONFIG_PLACEHOLDER);
    expect(text(response.body).includes('<body>call</body>')).toBe(path === '/call');
  });

  it('answers a built asset with its type and a long cache', async () => {
    const response = await get('/assets/index-AbC123.js');

    expect(response.statusCode).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(text(response.body)).toBe('console.log("hi")');
    expect(response.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' });
  });

  it.each(['/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/secret.txt', '/assets/missing.js', '/assets/', '/assets/.hidden.js'])(
    'answers 404 for %s',
    async (path) => {
      const response = await get(path);

      expect(response.statusCode).toBe(404);
    },
  );
});
