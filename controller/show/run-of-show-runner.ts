/**
 * Runs the show's run-of-show (contract/run-of-show.ts): `next()` plays the next item (the NEXT command), and
 * a watch started with `start()` plays an item set to auto-advance when the item before it ends, starting it
 * its crossfade before that end (loaded ahead, so that it starts on time) and crossfading on a shared deck.
 *
 * The list and the position live on the session record (read fresh before each advance: the host edits the
 * list during the show), so a replacement controller carries on where the previous one was: the resumed
 * track of the position's item is watched as before. Every advance goes through the controller's one lane
 * (serial-lane.ts) with the commands.
 */
import { MAX_FADE_SECONDS, nextRunOfShowItem, type RunOfShowItem, type RunOfShowPosition } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { MediaPlayer, PreparedTrack } from '../player/media-player.ts';
import type { RunOfShowState } from '../state/session-store.ts';
import type { SerialLane } from './serial-lane.ts';

/** How often the watch looks at the playing item. */
export const AUTO_ADVANCE_TICK_MS = 200;
/** How long before its start an auto-advance is loaded. */
export const AUTO_ADVANCE_LOAD_AHEAD_SECONDS = 1.5;
/** How often, at most, the watch reads the list while the playing item is near its end. */
const READ_INTERVAL_MS = 1000;

/** An item that started, and when (the wall clock just after the desk started it). */
export interface ItemStarted {
  item: RunOfShowItem;
  position: RunOfShowPosition;
  how: 'NEXT' | 'AUTO';
}

export interface RunOfShowRunnerOptions {
  player: Pick<MediaPlayer, 'prepare' | 'timing'>;
  store: { getRunOfShow(): Promise<RunOfShowState>; putRunOfShowPosition(position: RunOfShowPosition): Promise<void> };
  lane: SerialLane;
  logger: Logger;
  /** Told of every item that started (the as-run log). */
  onStarted?: (started: ItemStarted) => Promise<void> | void;
  /** Told of an item cut short by NEXT (the as-run log's SKIP). */
  onSkipped?: (skipped: { position: RunOfShowPosition; item?: RunOfShowItem; positionSeconds: number }) => void;
  now?: () => Date;
  tickMs?: number;
  /** Waits until an auto-advance is due (tests pass their clock's). */
  sleep?: (ms: number) => Promise<void>;
}

export class RunOfShowRunner {
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** The position as last read or written. */
  private position: RunOfShowPosition | null = null;
  /** The item that follows the position's, as last read, and when. */
  private upcoming: { after: string; readAtMs: number; item: RunOfShowItem | undefined } | undefined;

  constructor(private readonly options: RunOfShowRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Plays the next item now (the NEXT command; already in the lane); CommandRejectedError at the end of the list. */
  async next(): Promise<void> {
    const show = await this.options.store.getRunOfShow();
    const item = nextRunOfShowItem(show.items, show.position);
    if (!item) throw new CommandRejectedError('the run-of-show has no next item');
    const prepared = await this.options.player.prepare(playRequest(item, 'NEXT'));
    // The item playing is cut short: a skip in the as-run log.
    const current = show.position;
    const playing = current ? await this.options.player.timing(current.deck, current.trackId) : undefined;
    if (current && playing?.state === 'PLAYING') {
      const skipped = show.items.find((i) => i.itemId === current.itemId);
      this.options.onSkipped?.({ position: current, positionSeconds: playing.positionSeconds, ...(skipped ? { item: skipped } : {}) });
    }
    await this.begin(item, show.items, prepared, 'NEXT');
  }

  /** Starts watching for auto-advances (reading the position a previous controller left). */
  async start(): Promise<void> {
    this.position = (await this.options.store.getRunOfShow()).position;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? AUTO_ADVANCE_TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the playing item; advances when it is near its end and the next item follows on. */
  async tick(): Promise<void> {
    if (this.ticking || !this.position) return;
    this.ticking = true;
    try {
      await this.options.lane.run(() => this.advanceIfDue());
    } catch (error) {
      this.options.logger.warn('Auto-advance failed', { reason: (error as Error).message });
    } finally {
      this.ticking = false;
    }
  }

  private async advanceIfDue(): Promise<void> {
    const current = this.position;
    if (!current) return;
    const timing = await this.options.player.timing(current.deck, current.trackId);
    if (!timing || timing.state !== 'PLAYING') return;
    if (timing.remainingSeconds > MAX_FADE_SECONDS + AUTO_ADVANCE_LOAD_AHEAD_SECONDS) return;
    // Near the end: what follows, read at most once a second (the host may edit the list meanwhile).
    const nowMs = this.now().getTime();
    if (this.upcoming?.after !== current.itemId || nowMs - this.upcoming.readAtMs >= READ_INTERVAL_MS) {
      const show = await this.options.store.getRunOfShow();
      this.position = show.position;
      this.upcoming = { after: show.position?.itemId ?? '', readAtMs: nowMs, item: nextRunOfShowItem(show.items, show.position) };
    }
    const due = this.upcoming.after === current.itemId ? this.upcoming.item : undefined;
    if (!due?.autoAdvance || timing.remainingSeconds > due.crossfadeSeconds + AUTO_ADVANCE_LOAD_AHEAD_SECONDS) return;
    // Due: read once more, so that the item played is the one the list holds now.
    const show = await this.options.store.getRunOfShow();
    this.position = show.position;
    this.upcoming = undefined;
    if (show.position?.itemId !== current.itemId) return; // the show moved on meanwhile
    const item = nextRunOfShowItem(show.items, show.position);
    if (!item?.autoAdvance) return;
    const prepared = await this.options.player.prepare(playRequest(item, 'AUTO'));
    // Start it its crossfade before the end of the playing item, by the desk's own clock.
    const left = await this.options.player.timing(current.deck, current.trackId);
    if (!left || left.state !== 'PLAYING') {
      // It ended (or was stopped) while the next one loaded: the next one follows at once.
      if (left?.state === 'STOPPED' || !left) return this.begin(item, show.items, prepared, 'AUTO');
      await prepared.discard();
      return;
    }
    const waitMs = (left.remainingSeconds - item.crossfadeSeconds) * 1000;
    if (waitMs > 0) await (this.options.sleep ?? delay)(waitMs);
    await this.begin(item, show.items, prepared, 'AUTO');
  }

  private async begin(item: RunOfShowItem, items: readonly RunOfShowItem[], prepared: PreparedTrack, how: ItemStarted['how']): Promise<void> {
    await prepared.start();
    const position: RunOfShowPosition = {
      itemId: item.itemId,
      index: items.findIndex((i) => i.itemId === item.itemId),
      trackId: item.trackId,
      deck: item.deck,
      startedAt: this.now().toISOString(),
    };
    this.position = position;
    this.options.logger.info('Run-of-show item started', { itemId: item.itemId, index: position.index, how });
    await this.options.store.putRunOfShowPosition(position);
    await this.options.onStarted?.({ item, position, how });
  }
}

/** The PLAY an item makes: its track (programId = its trackId) on its deck with its fades. */
export function playRequest(item: RunOfShowItem, cause: ItemStarted['how']) {
  return {
    itemId: item.itemId,
    title: item.title,
    cause,
    deck: item.deck,
    programId: item.trackId,
    programUrl: item.programUrl,
    startAt: 0,
    fadeInSeconds: item.fadeInSeconds,
    crossfadeSeconds: item.crossfadeSeconds,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
