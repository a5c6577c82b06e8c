/**
 * The first thing the controller does: the page server, and Chromium spawned onto the controller's page.
 * Only Node's built-ins are loaded for it (see program-browser.ts for the rest).
 */
import { spawnChromium, type ChromiumProcess } from './chromium-process.ts';
import { programPageUrl, startPageServer, type PageServer } from './page-server.ts';

export interface ProgramBrowserStart {
  server: PageServer;
  chromium: ChromiumProcess;
}

/** Starts the page server, then Chromium with the page as its first tab. */
export async function startProgramBrowser(chromiumPath: string): Promise<ProgramBrowserStart> {
  const server = await startPageServer();
  return { server, chromium: spawnChromium(chromiumPath, programPageUrl(server.origin)) };
}
