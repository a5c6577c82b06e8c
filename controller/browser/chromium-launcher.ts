/**
 * Starts Debian's Chromium with puppeteer-core: fixed flags, a fresh profile in a temp directory, and a
 * close that leaves no process behind (the browser runs in its own process group, which is killed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { JoinFailedError } from '../errors.ts';

/**
 * Chromium flags: headless, no sandbox in a container, no background traffic (it would only be refused
 * offline), autoplay allowed, and IVS's analytics and remote-config hosts unresolvable: the web SDK joins,
 * publishes and subscribes without them, and a remote config could switch it to a signalling variant other
 * than the one the tests run (so the controller runs the tested path on AWS too).
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP *.live-video.net ~NOTFOUND',
  // The page frees a replaced program's decoded audio (over 100 MiB for a few minutes of stereo) at once
  // with gc(); V8 alone collects it too late under external-memory pressure.
  '--js-flags=--expose-gc',
] as const;

const LAUNCH_TIMEOUT_MS = 30_000;

export interface LaunchedChromium {
  browser: Browser;
  /** Pid of the browser (leader of its process group). */
  pid: number | undefined;
  /** Closes the browser, kills its process group, removes the profile. Safe to call twice. */
  close(): Promise<void>;
}

/** Launches Chromium at `executablePath` with a first tab at `initialUrl`; throws JoinFailedError when it cannot start. */
export async function launchChromium(executablePath: string, initialUrl = 'about:blank'): Promise<LaunchedChromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'shelcaster-chromium-'));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      ignoreDefaultArgs: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`, initialUrl],
      pipe: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: LAUNCH_TIMEOUT_MS,
      protocolTimeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new JoinFailedError(`Chromium did not start (${executablePath}): ${(error as Error).message}`, { cause: error });
  }
  const pid = browser.process()?.pid;
  if (pid) liveBrowserPids.add(pid);
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await Promise.race([browser.close().catch(() => undefined), delay(3000)]);
      killProcessGroup(pid);
      if (pid) liveBrowserPids.delete(pid);
      await rm(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    })());
  return { browser, pid, close };
}

/** Pids of browsers launched and not yet closed (an exit handler kills their groups). */
export const liveBrowserPids = new Set<number>();

/** Kills the process groups of every browser still open; synchronous, for `process.on('exit')`. */
export function killLiveBrowsers(): void {
  for (const pid of liveBrowserPids) killProcessGroup(pid);
  liveBrowserPids.clear();
}

/** Kills a process group (synchronous, so it also works in an `exit` handler). */
export function killProcessGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
