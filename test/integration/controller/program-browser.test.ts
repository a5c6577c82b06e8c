/**
 * Real Chromium: the controller's browser starts a second Chromium onto its page when the first one fails to
 * start (killed here as it starts, as a busy machine's Chromium now and then closes its DevTools pipe), and
 * says why; when the second fails too, it gives up with the reason and closes the page server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killProcessGroup, spawnChromium } from '#controller/browser/chromium-process';
import { startPageServer, programPageUrl } from '#controller/browser/page-server';
import { openProgramBrowser, type ProgramBrowser } from '#controller/browser/program-browser';
import { chromiumPath } from '#harness/chromium';

let opened: ProgramBrowser | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

describe('openProgramBrowser', () => {
  it('starts Chromium again when the first one dies while starting, and opens the page in the second', async () => {
    const server = await startPageServer();
    const first = spawnChromium(chromiumPath(), programPageUrl(server.origin));
    await first.started;
    killProcessGroup(first.child.pid);
    const reasons: string[] = [];
    opened = await openProgramBrowser({ server, chromium: first }, { onRelaunch: (reason) => reasons.push(reason) });
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^Chromium did not start/);
    expect(opened.chromium.pid).not.toBe(first.child.pid);
    const pages = await opened.chromium.browser.pages();
    expect(pages.map((page) => page.url())).toContain(programPageUrl(server.origin));
    await opened.page.setTitle('second Chromium'); // the page's API answers
  });

  it('gives up after the second Chromium fails, with its reason, and closes the page server', async () => {
    const server = await startPageServer();
    const missing = '/nonexistent/chromium';
    const reasons: string[] = [];
    const opening = openProgramBrowser({ server, chromium: spawnChromium(missing, programPageUrl(server.origin)) }, { onRelaunch: (reason) => reasons.push(reason) });
    await expect(opening).rejects.toThrow(/Chromium did not start \(\/nonexistent\/chromium\)/);
    expect(reasons).toHaveLength(1);
    await expect(fetch(server.origin)).rejects.toThrow();
  });
});
