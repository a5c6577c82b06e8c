/**
 * The controller's browser: Chromium started straight onto the controller's page (no blank tab to navigate),
 * connected, and the page ready to join. `main` starts the page server and Chromium (`startProgramBrowser`,
 * Node's built-ins only) before the rest of the controller loads, so Chromium starts while Node loads
 * puppeteer and the AWS SDK; `openProgramBrowser` then connects to it.
 *
 * A Chromium that fails to start is started once more: on a busy machine Debian's Chromium now and then
 * closes its DevTools pipe during start-up (puppeteer then reports "Target closed"), and a second one starts.
 */
import { connectChromium, LAUNCH_TIMEOUT_MS, type LaunchedChromium } from './chromium-launcher.ts';
import { spawnChromium, type ChromiumProcess } from './chromium-process.ts';
import { pageConsole, type Logger } from '../logger.ts';
import { RELAUNCH_WARNING } from '../retry-warnings.ts';
import type { ProgramBrowserStart } from './program-browser-start.ts';
import { ProgramPage } from './program-page.ts';
import { programPageUrl, type PageServer } from './page-server.ts';

export interface ProgramBrowser {
  chromium: LaunchedChromium;
  server: PageServer;
  page: ProgramPage;
  /** Closes Chromium and the page server. */
  close(): Promise<void>;
}

export interface ProgramBrowserOptions {
  /** Receives the page's console lines and errors. */
  onConsole?: (level: string, text: string) => void;
  /** Told why the first Chromium failed, before a second one starts. */
  onRelaunch?: (reason: string) => void;
}

/** Chromium processes started in all, the first included. */
export const BROWSER_ATTEMPTS = 2;

/** The options that log to the controller's logger: the page's console, and a Chromium started again (WARN). */
export function loggedBrowserOptions(logger: Logger): ProgramBrowserOptions {
  return { onConsole: pageConsole(logger), onRelaunch: (reason) => logger.warn(RELAUNCH_WARNING, { reason }) };
}

/**
 * Connects to the Chromium started on the page; resolves once the page's API is ready. When that Chromium
 * fails, a second one is started onto the page; the page server is closed when both failed.
 */
export async function openProgramBrowser(start: ProgramBrowserStart, options: ProgramBrowserOptions = {}): Promise<ProgramBrowser> {
  const server = start.server;
  const url = programPageUrl(server.origin);
  let spawned = start.chromium;
  for (let tried = 1; ; tried++) {
    try {
      return await openOn(spawned, server, url, options);
    } catch (error) {
      if (tried >= BROWSER_ATTEMPTS) {
        await server.close();
        throw error;
      }
      options.onRelaunch?.((error as Error).message);
      spawned = spawnChromium(spawned.executablePath, url);
    }
  }
}

/** Connects to one Chromium and opens the page's API in it; closes that Chromium when it fails. */
async function openOn(spawned: ChromiumProcess, server: PageServer, url: string, options: ProgramBrowserOptions): Promise<ProgramBrowser> {
  let chromium: LaunchedChromium | undefined;
  try {
    chromium = await connectChromium(spawned);
    const target = await chromium.browser.waitForTarget((t) => t.type() === 'page' && t.url() === url, { timeout: LAUNCH_TIMEOUT_MS });
    const loading = (await target.page()) ?? undefined;
    const page = await ProgramPage.open({ browser: chromium.browser, server, ...(loading ? { loading } : {}), ...(options.onConsole ? { onConsole: options.onConsole } : {}) });
    const launched = chromium;
    return {
      chromium: launched,
      server,
      page,
      async close() {
        await launched.close();
        await server.close();
      },
    };
  } catch (error) {
    await chromium?.close();
    throw error;
  }
}
