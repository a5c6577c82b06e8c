/**
 * Debian's Chromium started as a bare process, with nothing but Node's built-ins loaded, so that the
 * controller's entry can start it first and load the rest of the controller (puppeteer, the AWS SDK) while
 * Chromium starts. The browser gets a fresh profile in a temp directory, runs in its own process group (so
 * that killing the group leaves nothing behind), and talks DevTools over a pipe (fds 3 and 4, as puppeteer's
 * own launcher sets it up); chromium-launcher.ts connects puppeteer to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { SYSTEM_PROGRAMS } from '#contract/system-programs';

/**
 * The controller's browser: Chromium's headless shell (Debian's `chromium-headless-shell`, the same Chromium
 * release as `chromium`, built as the headless-only browser). Against the full browser in headless mode it
 * starts on the page in ~0.3 s instead of ~1.1 s and maps ~90 MiB less of its own binary (a 212 MiB binary
 * against 283 MiB, docs/benchmarks.md); the page, WebRTC, WebAudio and the IVS web SDK run the same. Test
 * browsers standing in for a host's or a caller's Chrome stay the full browser (/usr/bin/chromium).
 */
export const DEFAULT_CHROMIUM_PATH = SYSTEM_PROGRAMS.controllerChromium.path;

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

/**
 * What only the controller's own Chromium adds (test browsers standing in for a host's or a caller's Chrome
 * take CHROMIUM_FLAGS alone).
 */
export const CONTROLLER_CHROMIUM_FLAGS = [
  ...CHROMIUM_FLAGS,
  // The network service and the GPU process run inside the browser process: one process fewer each to
  // start before the page can load (its first request waited ~0.3 s for the network service) and to hold in
  // memory. The controller needs none of their isolation. The audio service stays a process of its own
  // (AudioServiceOutOfProcess): inside the browser process its AudioContext is created in ~20 ms instead of
  // ~0.5 s, but on a loaded machine the program's audio then lost samples, and the stage's recording drifted
  // ahead of the show's clock by 0.2-0.3 s (docs/benchmarks.md).
  '--enable-features=NetworkServiceInProcess2',
  '--in-process-gpu',
  // The renderer is started by the browser itself rather than forked from Chromium's zygotes: two processes
  // fewer, whose own memory (what they set up to fork from, their heaps) no renderer needs. As in its own
  // task the tree held ~10 MiB less with the same joins (docs/benchmarks.md, "The controller's memory as in
  // its own task"). The zygote's use is to fork sandboxed renderers fast; the controller runs one renderer,
  // unsandboxed.
  '--no-zygote',
  // With the GPU disabled, Chromium still loads its software GL (SwiftShader) into the GPU thread; the page
  // draws only the video tile, a 2D canvas Skia rasters in the renderer, and without it the browser process
  // held ~14 MiB less PSS and the tree ~8 MiB less as in its own task (docs/benchmarks.md, "The controller's
  // memory as in its own task").
  '--disable-software-rasterizer',
  // Two renderers the controller never uses, which the full browser (CHROMIUM_PATH=/usr/bin/chromium) starts
  // even headless: the omnibox's WebUI popups (Chromium 156; a renderer of ~50-75 MiB PSS) and the spare
  // renderer kept warm for a next navigation. The headless shell has neither; Chromium ignores feature names
  // it does not know, so any build starts all the same.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
] as const;

/** A Chromium process just spawned. */
export interface ChromiumProcess {
  executablePath: string;
  child: ChildProcess;
  /** Where the DevTools protocol goes to the browser, and comes back. */
  pipes: { write: Writable; read: Readable };
  userDataDir: string;
  /** Resolves once the process runs; rejects when it could not start (no such file, ...). */
  started: Promise<void>;
  /** The last lines Chromium wrote to stderr (at most STDERR_TAIL_BYTES): what it said before it failed. */
  stderrTail(): string;
}

/** How much of Chromium's stderr is kept, the latest part. */
export const STDERR_TAIL_BYTES = 2048;

/** Pids of browsers started and not yet closed (an exit handler kills their groups). */
export const liveBrowserPids = new Set<number>();

/** Spawns Chromium with the fixed flags and a first tab at `initialUrl`. */
export function spawnChromium(executablePath: string, initialUrl = 'about:blank'): ChromiumProcess {
  const userDataDir = mkdtempSync(join(tmpdir(), 'shelcaster-chromium-'));
  const child = spawn(executablePath, [...CONTROLLER_CHROMIUM_FLAGS, '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, initialUrl], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  // Read all along (an unread pipe would block Chromium once full); only the tail is kept.
  let tail = Buffer.alloc(0);
  child.stderr?.on('data', (chunk: Buffer) => {
    const joined = Buffer.concat([tail, chunk]);
    tail = joined.subarray(Math.max(0, joined.length - STDERR_TAIL_BYTES));
  });
  child.stderr?.on('error', () => undefined);
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => {
      if (child.pid) liveBrowserPids.add(child.pid);
      resolve();
    });
    child.once('error', reject);
  });
  started.catch(() => undefined); // whoever connects reports it
  return { executablePath, child, pipes: { write: child.stdio[3] as Writable, read: child.stdio[4] as Readable }, userDataDir, started, stderrTail: () => tail.toString('utf8') };
}

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
