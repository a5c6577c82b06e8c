/**
 * Connects puppeteer-core to a Chromium process (chromium-process.ts) over its DevTools pipe, and closes it
 * leaving no process behind (its process group is killed) and no profile. `launchChromium` spawns and
 * connects in one go.
 *
 * The pipe transport is ours: puppeteer has one, but only inside its own launcher (not in its public API), and
 * its launcher can only start Chromium once puppeteer has loaded; the controller starts Chromium first.
 */
import { readlink, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import puppeteer, { type Browser, type ConnectionTransport } from 'puppeteer-core';
import { JoinFailedError } from '../errors.ts';
import { killProcessGroup, liveBrowserPids, spawnChromium, type ChromiumProcess } from './chromium-process.ts';

export { CHROMIUM_FLAGS, DEFAULT_CHROMIUM_PATH, killLiveBrowsers } from './chromium-process.ts';

export const LAUNCH_TIMEOUT_MS = 30_000;

export interface LaunchedChromium {
  browser: Browser;
  /** Pid of the browser (leader of its process group). */
  pid: number | undefined;
  /** Its profile, a fresh temp directory (removed by close). */
  userDataDir: string;
  /** Closes the browser, kills its process group, removes the profile. Safe to call twice. */
  close(): Promise<void>;
}

/** The DevTools protocol over Chromium's pipe: JSON messages, each ended by a NUL byte. */
class PipeTransport implements ConnectionTransport {
  onmessage?: (message: string) => void;
  onclose?: () => void;
  private pending: Buffer[] = [];

  constructor(private readonly pipes: ChromiumProcess['pipes']) {
    pipes.read.on('data', (chunk: Buffer) => this.receive(chunk));
    pipes.read.on('close', () => this.onclose?.());
    pipes.read.on('error', () => undefined);
    pipes.write.on('error', () => undefined);
  }

  send(message: string): void {
    this.pipes.write.write(`${message}\0`);
  }

  close(): void {
    this.pipes.write.end();
  }

  private receive(chunk: Buffer): void {
    let rest = chunk;
    for (let end = rest.indexOf(0); end !== -1; end = rest.indexOf(0)) {
      const message = Buffer.concat([...this.pending, rest.subarray(0, end)]).toString('utf8');
      this.pending = [];
      rest = rest.subarray(end + 1);
      this.onmessage?.(message);
    }
    if (rest.length > 0) this.pending.push(rest);
  }
}

/** Connects puppeteer to a spawned Chromium; throws JoinFailedError when it did not start or does not answer. */
export async function connectChromium(spawned: ChromiumProcess): Promise<LaunchedChromium> {
  const pid = spawned.child.pid;
  let closed: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) resolve();
    else spawned.child.once('exit', () => resolve());
  });
  const cleanUp = async () => {
    // Where the profile's singleton socket lives (a directory of its own in the temp directory, which Chromium
    // removes when it exits by itself, and not when its group is killed), read before the profile goes.
    const singleton = await singletonDirectory(spawned.userDataDir);
    killProcessGroup(pid);
    if (pid) liveBrowserPids.delete(pid);
    // The profile goes once the browser is gone (a browser still writing would leave files behind).
    if (pid) await Promise.race([exited, delay(3000)]);
    await rm(spawned.userDataDir, { recursive: true, force: true, maxRetries: 3 });
    if (singleton) await rm(singleton, { recursive: true, force: true });
  };
  let browser: Browser;
  let timer: NodeJS.Timeout | undefined;
  let onExit: ((code: number | null, signal: string | null) => void) | undefined;
  try {
    await spawned.started;
    const exited = new Promise<never>((_, reject) => {
      onExit = (code, signal) => reject(new Error(`Chromium exited (${signal ?? code})`));
      spawned.child.once('exit', onExit);
    });
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${LAUNCH_TIMEOUT_MS / 1000} s`)), LAUNCH_TIMEOUT_MS)));
    browser = await Promise.race([puppeteer.connect({ transport: new PipeTransport(spawned.pipes), defaultViewport: null, protocolTimeout: LAUNCH_TIMEOUT_MS }), exited, timeout]);
  } catch (error) {
    clearTimeout(timer);
    await cleanUp();
    const said = lastLines(spawned.stderrTail());
    throw new JoinFailedError(`Chromium did not start (${spawned.executablePath}): ${(error as Error).message}${said ? `; it said: ${said}` : ''}`, { cause: error });
  } finally {
    if (onExit) spawned.child.off('exit', onExit);
  }
  clearTimeout(timer);
  const close = () =>
    (closed ??= (async () => {
      await Promise.race([browser.close().catch(() => undefined), delay(3000)]);
      await cleanUp();
    })());
  return { browser, pid, userDataDir: spawned.userDataDir, close };
}

/** Spawns Chromium at `executablePath` with a first tab at `initialUrl` and connects to it. */
export function launchChromium(executablePath: string, initialUrl = 'about:blank'): Promise<LaunchedChromium> {
  return connectChromium(spawnChromium(executablePath, initialUrl));
}

/**
 * The directory Chromium made for a profile's singleton socket (`SingletonSocket` in the profile is a link
 * into it): `<temp dir>/org.chromium.Chromium.<random>`; undefined when there is none (yet).
 */
export async function singletonDirectory(userDataDir: string): Promise<string | undefined> {
  const target = await readlink(join(userDataDir, 'SingletonSocket')).catch(() => undefined);
  const directory = target ? dirname(target) : undefined;
  return directory && /^org\.chromium\.Chromium\.\w+$/.test(basename(directory)) ? directory : undefined;
}

/** What Chromium says at every start without a D-Bus (as in a container): nothing about why it failed. */
const STARTUP_NOISE = /Failed to connect to the bus/;

/** The last few lines Chromium wrote, on one line, short enough for a log line or a reason. */
export function lastLines(text: string, lines = 3, maxChars = 400): string {
  const kept = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !STARTUP_NOISE.test(line))
    .slice(-lines)
    .join(' | ');
  return kept.length > maxChars ? kept.slice(kept.length - maxChars) : kept;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
