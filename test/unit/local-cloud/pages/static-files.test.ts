import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONSOLE_CONFIG_PLACEHOLDER } from '#contract/index';
import { consoleStaticFiles } from '#local-cloud/pages/static-files';
import { firstAnswering } from '#local-cloud/pages/pages';
import type { StaticHandler } from '#local-cloud/api/server';

let server: Server | undefined;
let root: string | undefined;

afterEach(() => {
  server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  server = undefined;
  root = undefined;
});

/** Serves a static handler on a free port; unanswered requests get 404 "fallthrough". */
async function serve(handler: StaticHandler): Promise<string> {
  server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).then((answered) => {
      if (!answered) {
        res.writeHead(404);
        res.end('fallthrough');
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

function repoWithBuiltConsole(): string {
  root = mkdtempSync(join(tmpdir(), 'console-repo-'));
  mkdirSync(join(root, 'console', 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, 'console', 'dist', 'index.html'), `<head>${CONSOLE_CONFIG_PLACEHOLDER}</head>`);
  writeFileSync(join(root, 'console', 'dist', 'assets', 'index-1.js'), 'export {}');
  return root;
}

describe('Local cloud: the console static files', () => {
  it('answers the page told of the local sign-in, and the built assets', async () => {
    const url = await serve(consoleStaticFiles({ root: repoWithBuiltConsole() }));

    const page = await fetch(`${url}/podcast`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('{"localSignInUrl":"/_local/token"}');
    const asset = await fetch(`${url}/assets/index-1.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await asset.text()).toBe('export {}');
  });

  it('leaves other paths and missing assets to the next handler', async () => {
    const url = await serve(consoleStaticFiles({ root: repoWithBuiltConsole() }));

    expect(await (await fetch(`${url}/executions`)).text()).toBe('fallthrough');
    expect(await (await fetch(`${url}/assets/nope.js`)).text()).toBe('fallthrough');
    expect(await (await fetch(`${url}/assets/../../package.json`)).text()).toBe('fallthrough');
  });

  it('says how to build the console when it is not built', async () => {
    root = mkdtempSync(join(tmpdir(), 'console-repo-'));
    const url = await serve(consoleStaticFiles({ root }));

    const response = await fetch(`${url}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
  });

  it('asks each page handler in turn until one answers', async () => {
    const asked: string[] = [];
    const handler = (name: string, answers: boolean): StaticHandler => (_req, res) => {
      asked.push(name);
      if (answers) res.end(name);
      return answers;
    };
    const url = await serve(firstAnswering([handler('console', false), handler('executions', true), handler('never', true)]));

    expect(await (await fetch(`${url}/executions`)).text()).toBe('executions');
    expect(asked).toEqual(['console', 'executions']);
  });
});
