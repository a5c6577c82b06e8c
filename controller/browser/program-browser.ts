/**
 * The controller's browser: Chromium started straight onto the controller's page (no blank tab to navigate),
 * connected, and the page ready to join. `main` starts the page server and Chromium (`startProgramBrowser`,
 * Node's built-ins only) before the rest of the controller loads, so Chromium starts while Node loads
 * puppeteer and the AWS SDK; `openProgramBrowser` then connects to it.
 */
import { connectChromium, LAUNCH_TIMEOUT_MS, type LaunchedChromium } from './chromium-launcher.ts';
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
}

/** Connects to the Chromium started on the page; resolves once the page's API is ready. */
export async function openProgramBrowser(start: ProgramBrowserStart, options: ProgramBrowserOptions = {}): Promise<ProgramBrowser> {
  const server = start.server;
  let chromium: LaunchedChromium | undefined;
  try {
    const url = programPageUrl(server.origin);
    chromium = await connectChromium(start.chromium);
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
    await server.close();
    throw error;
  }
}
