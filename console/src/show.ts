/** A show (session): start it, watch its status by polling GET /sessions/{id}, end it. */
import type { ApiClient } from '#contract/api-client';
import type { SessionView } from '#contract/api-responses';
import type { NowPlaying, SessionStatus } from '#contract/session';

/** A show as the page shows it: the API's view, or what the page knows of it before the first read. */
export type ShownSession = Pick<SessionView, 'sessionId' | 'title' | 'status'> & Partial<SessionView>;

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: readonly SessionStatus[] = ['ENDED', 'FAILED'];

/** How often a show's status is read. */
export const SHOW_POLL_MS = 1000;

/** Starts a show; answers its id. */
export async function startShow(api: ApiClient, title: string): Promise<string> {
  const created = await api.call('createSession', { body: { title }, idempotencyKey: crypto.randomUUID() });
  return created.sessionId;
}

/** Asks the API to end a show. */
export async function endShow(api: ApiClient, sessionId: string): Promise<void> {
  await api.call('endSession', { params: { sessionId } });
}

/** Polls one show until it is ENDED or FAILED, telling each view (and each failure to read it). */
export class ShowWatcher {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    readonly sessionId: string,
    private readonly onView: (view: SessionView) => void,
    private readonly onError: (error: unknown) => void,
    private readonly pollMs = SHOW_POLL_MS,
  ) {}

  /** Reads the show now and keeps reading it until stopped or final. */
  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let final = false;
    try {
      const view = await this.api.call('getSession', { params: { sessionId: this.sessionId } });
      if (this.stopped) return;
      this.onView(view);
      final = FINAL_STATUSES.includes(view.status);
    } catch (error) {
      this.onError(error);
    }
    if (!final && !this.stopped) this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }
}

/** The position of what plays now: the reported one, advanced by the time since it was measured while PLAYING. */
export function currentPosition(nowPlaying: NowPlaying, nowMs = Date.now()): number {
  if (nowPlaying.state !== 'PLAYING') return nowPlaying.positionSeconds;
  const elapsed = Math.max(0, (nowMs - Date.parse(nowPlaying.updatedAt)) / 1000);
  const position = nowPlaying.positionSeconds + elapsed;
  return nowPlaying.durationSeconds === null ? position : Math.min(position, nowPlaying.durationSeconds);
}

/** `m:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
