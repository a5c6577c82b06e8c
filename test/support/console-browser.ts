/**
 * The host console in a test's Chromium: the console built, a browser with a fake microphone playing a file,
 * closing it (killed when it does not close in time), and waiting for the page with what it shows on failure.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS } from '#controller/browser/chromium-launcher';
import { USER_CHROMIUM_PATH } from '#harness/chromium';
export { buildConsole } from '#harness/console-build';

/** Debian's Chromium, headless, its profile under `profileDir`, its microphone the WAV file `microphoneFile`. */
export async function launchConsoleBrowser(args: { profileDir: string; microphoneFile: string; extraArgs?: readonly string[] }): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: USER_CHROMIUM_PATH,
    headless: true,
    userDataDir: args.profileDir,
    ignoreDefaultArgs: true,
    args: [
      ...CHROMIUM_FLAGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${args.microphoneFile}`,
      ...(args.extraArgs ?? []),
    ],
  });
}

/** Closes the browser; kills it when it has not closed within 5 s. */
export async function closeConsoleBrowser(browser: Browser | undefined): Promise<void> {
  const chromium = browser?.process();
  await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, 5_000))]).catch(() => undefined);
  if (chromium && chromium.exitCode === null && chromium.signalCode === null) chromium.kill('SIGKILL');
}

/** Waits for a condition on the page; fails with what the page shows (and `extra`'s HTML) when it does not hold in time. */
export async function waitForPage(page: Page, condition: string, timeout: number, what: string, extra?: string): Promise<void> {
  try {
    await page.waitForFunction(condition, { timeout, polling: 200 });
  } catch (error) {
    const shown = await page
      .evaluate((selector) => `${document.body.innerText}${selector ? `\n${document.querySelector(selector)?.innerHTML ?? ''}` : ''}`, extra)
      .catch(() => '');
    throw new Error(`Timed out waiting for ${what}. The page shows:\n${shown}`, { cause: error });
  }
}
