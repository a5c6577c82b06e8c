/**
 * Test support: Debian's Chromium (puppeteer-core) with the flags FACTS lists, a fresh profile, and a tiny
 * HTTP server on loopback that serves the publisher page (so WHIP requests are cross-origin, as from a host
 * console). `close()` always ends the browser, killing it if it does not exit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromiumPath } from '#harness/chromium';

const CHROMIUM_PATH = chromiumPath();
const PAGE_HTML = readFileSync(new URL('../../../fixtures/stage/publisher.html', import.meta.url), 'utf8');

export interface PublisherBrowser {
  /** Opens a new publisher page. */
  newPublisher(): Promise<Page>;
  close(): Promise<void>;
}

/** Launches Chromium and the page server. */
export async function launchPublisherBrowser(): Promise<PublisherBrowser> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(PAGE_HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/publisher.html`;
  const profile = mkdtempSync(join(tmpdir(), 'stage-chromium-'));
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      userDataDir: profile,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  } catch (error) {
    server.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const launched = browser;
  return {
    async newPublisher() {
      const page = await launched.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction(() => 'stagePublisher' in window);
      return page;
    },
    async close() {
      const process = launched.process();
      await Promise.race([launched.close(), new Promise((resolve) => setTimeout(resolve, 5_000))]).catch(() => undefined);
      if (process && process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
      server.closeAllConnections();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
