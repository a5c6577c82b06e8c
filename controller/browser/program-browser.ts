/**
 * The controller's browser, opened as early as the process can: the page server, Chromium launched straight
 * onto the controller's page (no blank tab to navigate), and the page ready to join. `main` starts it before
 * the AWS SDK modules load, so Chromium starts while Node is still loading them.
 */
import { launchChromium, type LaunchedChromium } from './chromium-launcher.ts';
import { startPageServer, type PageServer } from './page-server.ts';
import { ProgramPage } from './program-page.ts';

export interface ProgramBrowser {
  chromium: LaunchedChromium;
  server: PageServer;
  page: ProgramPage;
  /** Closes Chromium and the page server. */
  close(): Promise<void>;
}

export interface ProgramBrowserOptions {
  chromiumPath: string;
  /** Receives the page's console lines and errors. */
  onConsole?: (level: string, text: string) => void;
  /** Replaces the Chromium launch (tests). */
  launch?: (chromiumPath: string, initialUrl: string) => Promise<LaunchedChromium>;
}

/** Starts the page server and Chromium on the page; resolves once the page's API is ready. */
export async function openProgramBrowser(options: ProgramBrowserOptions): Promise<ProgramBrowser> {
  const server = await startPageServer();
  let chromium: LaunchedChromium | undefined;
  try {
    chromium = await (options.launch ?? launchChromium)(options.chromiumPath, `${server.origin}/`);
    const page = await ProgramPage.open({ browser: chromium.browser, server, ...(options.onConsole ? { onConsole: options.onConsole } : {}) });
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
