/**
 * The controller's page in Chromium, driven through puppeteer: joins and leaves the stage (the IVS web SDK),
 * and plays the program (PageAudio, the page's mixing desk). Media reaches the page through the loopback page
 * server.
 */
import type { Browser, HTTPRequest, Page } from 'puppeteer-core';
import type { DuckChange, PageAudio } from '../player/page-audio.ts';
import { programPageUrl } from './page-server.ts';
import type { PageServer } from './page-server.ts';
import { JoinFailedError } from '../errors.ts';

const PAGE_LOAD_TIMEOUT_MS = 20_000;
/** How long a leave waits for the SDK's DELETE requests to be answered. */
const LEAVE_REQUESTS_MS = 1500;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The page's `window.shelcaster` API, as the page defines it (controller/page/main.js). */
interface PageApi {
  setTitle(title: string): void;
  join(token: string): Promise<{ state: string; timings: StageJoinTimings }>;
  stageState(): string;
  leave(): Promise<void>;
  audio: PageAudio;
}
type WithApi = Window & { shelcaster: PageApi; shelcasterReady?: boolean };

/** How long the page's join took (ms from its start): until the stage was joined, and until published. */
export interface StageJoinTimings {
  joinedMs: number;
  publishedMs: number;
}

export interface ProgramPageOptions {
  browser: Browser;
  server: PageServer;
  /** A tab already loading the page (Chromium launched with its URL); a new tab is opened when absent. */
  loading?: Page;
  title?: string;
  /** Receives the page's console lines and errors (never tokens: the page does not print them). */
  onConsole?: (level: string, text: string) => void;
}

/** The page desk's operations (what `window.shelcaster.audio` has). */
type DeskOperation = Exclude<keyof PageAudio, 'lastChangeAtMs'>;

/** The desk's operations that change what is heard (`load` only prepares, `status` only reads). */
const DESK_CHANGES: ReadonlySet<DeskOperation> = new Set(['start', 'pause', 'fadeOut', 'resume', 'stop', 'seek', 'setGain', 'setDeckVolume', 'setDucking']);

export class ProgramPage implements PageAudio {
  private lastChangeAt = 0;

  private constructor(private readonly page: Page) {}

  /**
   * When the desk last changed what is heard: the page's wall clock (ms) as the change was made, before the
   * answer came back over DevTools (which takes longer when the machine is busy). 0 before the first change.
   */
  get lastChangeAtMs(): number {
    return this.lastChangeAt;
  }

  /** Opens the page (or takes over the tab already loading it) and waits until its API is ready. */
  static async open(options: ProgramPageOptions): Promise<ProgramPage> {
    try {
      const url = programPageUrl(options.server.origin);
      const loading = options.loading;
      const page = loading ?? (await options.browser.newPage());
      page.on('console', (m) => options.onConsole?.(m.type(), m.text()));
      page.on('pageerror', (e) => options.onConsole?.('pageerror', e instanceof Error ? e.message : String(e)));
      if (!loading) await page.goto(url, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
      await page.waitForFunction(() => (window as unknown as WithApi).shelcasterReady === true, {
        timeout: PAGE_LOAD_TIMEOUT_MS,
      });
      if (options.title !== undefined) await page.evaluate((t) => (window as unknown as WithApi).shelcaster.setTitle(t), options.title);
      return new ProgramPage(page);
    } catch (error) {
      throw new JoinFailedError(`The controller page did not load: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Sets the show title the video tile shows. */
  async setTitle(title: string): Promise<void> {
    await this.page.evaluate((t) => (window as unknown as WithApi).shelcaster.setTitle(t), title);
  }

  /** Joins the stage with the participant token; resolves once connected and publishing, with how long it took. */
  async join(token: string, timeoutMs: number): Promise<StageJoinTimings> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      const joined = await Promise.race([
        this.page.evaluate((tk) => (window as unknown as WithApi).shelcaster.join(tk), token),
        timeout,
      ]);
      return joined.timings;
    } catch (error) {
      // Puppeteer's evaluation errors carry the page's message; the token is never part of it.
      const firstLine = (error as Error).message.split('\n')[0];
      throw new JoinFailedError(`Joining the stage failed: ${firstLine}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The page's stage connection state. */
  stageState(): Promise<string> {
    return this.page.evaluate(() => (window as unknown as WithApi).shelcaster.stageState());
  }

  /**
   * Leaves the stage, and lets the SDK's `DELETE`s (of what it published and subscribed to) reach the stage
   * before the browser may be closed: the SDK's leave only starts them, and a browser closed under them
   * leaves the stage to find the participant gone by timeout instead. Bounded: a page that hangs does not
   * hold up shutdown (`timeoutMs` in all; the DELETEs get at most LEAVE_REQUESTS_MS of it).
   */
  async leave(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const deletes = new Set<HTTPRequest>();
    let seen = false;
    const started = (request: HTTPRequest) => {
      if (request.method() !== 'DELETE') return;
      deletes.add(request);
      seen = true;
    };
    const ended = (request: HTTPRequest) => deletes.delete(request);
    this.page.on('request', started).on('requestfinished', ended).on('requestfailed', ended);
    try {
      const wasConnected = await Promise.race([
        this.page
          .evaluate(async () => {
            const api = (window as unknown as WithApi).shelcaster;
            const state = api.stageState();
            await api.leave();
            return state === 'connected';
          })
          .catch(() => false),
        sleep(timeoutMs).then(() => false),
      ]);
      if (!wasConnected) return;
      const until = Math.min(deadline, Date.now() + LEAVE_REQUESTS_MS);
      while (Date.now() < until && !(seen && deletes.size === 0)) await sleep(20);
    } finally {
      this.page.off('request', started).off('requestfinished', ended).off('requestfailed', ended);
    }
  }

  /** Calls an operation of the page's mixing desk (`window.shelcaster.audio`); notes the page's time of a change. */
  private audio<K extends DeskOperation>(name: K, ...args: Parameters<PageAudio[K]>): ReturnType<PageAudio[K]> {
    const called = this.page.evaluate(
      async (n, a) => {
        const value = await ((window as unknown as WithApi).shelcaster.audio[n] as (...x: unknown[]) => unknown)(...a);
        return { value, at: Date.now() };
      },
      name,
      args as unknown[],
    );
    return called.then(({ value, at }) => {
      if (DESK_CHANGES.has(name)) this.lastChangeAt = Math.max(this.lastChangeAt, at);
      return value;
    }) as ReturnType<PageAudio[K]>;
  }

  load: PageAudio['load'] = (...args) => this.audio('load', ...args);
  start: PageAudio['start'] = (...args) => this.audio('start', ...args);
  pause: PageAudio['pause'] = (...args) => this.audio('pause', ...args);
  fadeOut: PageAudio['fadeOut'] = (...args) => this.audio('fadeOut', ...args);
  resume: PageAudio['resume'] = (...args) => this.audio('resume', ...args);
  stop: PageAudio['stop'] = (...args) => this.audio('stop', ...args);
  seek: PageAudio['seek'] = (...args) => this.audio('seek', ...args);
  setGain: PageAudio['setGain'] = (...args) => this.audio('setGain', ...args);
  setDeckVolume: PageAudio['setDeckVolume'] = (...args) => this.audio('setDeckVolume', ...args);
  setDucking: PageAudio['setDucking'] = (...args) => this.audio('setDucking', ...args);

  /** Calls `listener` with each duck and its end the page makes (once; the page calls the function it is given). */
  async onDuckChange(listener: (change: DuckChange) => void): Promise<void> {
    await this.page.exposeFunction('shelcasterDuckChanged', (change: DuckChange) => listener(change));
  }
  status: PageAudio['status'] = () => this.audio('status');
}
