/**
 * Runs the show's run-of-show (contract/run-of-show.ts): `next()` plays the next item (the NEXT command), and
 * a watch started with `start()` plays an item set to auto-advance when the item before it ends, starting it
 * its crossfade before that end (loaded ahead, so that it starts on time) and crossfading on a shared deck.
 * The same watch fades an item with a fade-out out over its last `fadeOutSeconds` (MediaPlayer.fadeOut: the
 * track plays on, silent, to its end), unless the item after it follows on with a crossfade on its deck (the
 * crossfade wins); also an item the show moved on from that plays on, on another deck (a bed under the items
 * after it). NEXT from an item with a fade-out to one on its deck that does not crossfade fades it out as the
 * next one starts.
 *
 * The list and the position live on the session record (read fresh before each advance: the host edits the
 * list during the show), so a replacement controller carries on where the previous one was: the resumed
 * track of the position's item is watched as before (and so are the tracks of other items with a fade-out it
 * resumed on other decks); resumed inside its fade-out, a track fades out over what is left of it, from the
 * level it resumed at (full: the replacement does not resume the fade's level). Every
 * advance and fade goes through the controller's one lane (serial-lane.ts) with the commands.
 */
import { MAX_FADE_SECONDS, nextRunOfShowItem, type RunOfShowItem, type RunOfShowPosition } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { MediaPlayer, PlayRequest, PreparedTrack, TrackTiming } from '../player/media-player.ts';
import type { RunOfShowState } from '../state/session-store.ts';
import type { SerialLane } from './serial-lane.ts';

/** How often the watch looks at the playing item. */
export const AUTO_ADVANCE_TICK_MS = 200;
/** How long before its start an auto-advance is loaded. */
export const AUTO_ADVANCE_LOAD_AHEAD_SECONDS = 1.5;
/** How long before an item's fade-out is due the watch waits for it (holding the lane meanwhile). */
export const FADE_OUT_LOOK_AHEAD_SECONDS = 0.5;
/** How often, at most, the watch reads the list while the playing item is near its end. */
const READ_INTERVAL_MS = 1000;

/** An item that started, and when (the wall clock just after the desk started it). */
export interface ItemStarted {
  item: RunOfShowItem;
  position: RunOfShowPosition;
  how: 'NEXT' | 'AUTO';
}

/** An item's track as the watch knows it. */
type PlayingItem = Pick<RunOfShowPosition, 'itemId' | 'trackId' | 'deck'>;

export interface RunOfShowRunnerOptions {
  player: Pick<MediaPlayer, 'prepare' | 'timing' | 'fadeOut'>;
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
  /** Items the show moved on from whose tracks play on, on another deck: watched for their fade-out. */
  private playingOn: PlayingItem[] = [];
  /** The list as last read for them, and when. */
  private listRead: { atMs: number; show: RunOfShowState } | undefined;
  /** The position's item and the item that follows it, as last read, and when. */
  private upcoming: { after: string; readAtMs: number; playing: RunOfShowItem | undefined; item: RunOfShowItem | undefined } | undefined;

  constructor(private readonly options: RunOfShowRunnerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Plays the next item now (the NEXT command; already in the lane); CommandRejectedError at the end of the
   * list. Resolves to the time it began to play.
   */
  async next(): Promise<Date> {
    const show = await this.options.store.getRunOfShow();
    const item = nextRunOfShowItem(show.items, show.position);
    if (!item) throw new CommandRejectedError('the run-of-show has no next item');
    const current = show.position;
    const currentItem = current ? show.items.find((i) => i.itemId === current.itemId) : undefined;
    // Moving on from an item on the same deck: it fades out over its fade-out (unless the next one crossfades).
    const fadeOut = current && currentItem && currentItem.fadeOutSeconds > 0 && current.deck === item.deck ? { programId: current.trackId, seconds: currentItem.fadeOutSeconds } : undefined;
    const prepared = await this.options.player.prepare(playRequest(item, 'NEXT', fadeOut));
    // The item playing is cut short: a skip in the as-run log.
    const playing = current ? await this.options.player.timing(current.deck, current.trackId) : undefined;
    if (current && playing?.state === 'PLAYING') {
      this.options.onSkipped?.({ position: current, positionSeconds: playing.positionSeconds, ...(currentItem ? { item: currentItem } : {}) });
    }
    return this.begin(item, show.items, prepared, 'NEXT', current);
  }

  /**
   * Starts watching for auto-advances and fade-outs (reading the position a previous controller left, and
   * finding the other items with a fade-out whose tracks it resumed on other decks).
   */
  async start(): Promise<void> {
    const show = await this.options.store.getRunOfShow();
    const { position } = show;
    this.position = position;
    if (position) {
      for (const item of show.items) {
        if (item.itemId === position.itemId || !(item.fadeOutSeconds > 0) || (item.deck === position.deck && item.deck !== 'clip')) continue;
        const timing = await this.options.player.timing(item.deck, item.trackId);
        if (timing?.state === 'PLAYING') this.playingOn.push({ itemId: item.itemId, trackId: item.trackId, deck: item.deck });
      }
    }
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? AUTO_ADVANCE_TICK_MS);
    this.timer.unref();
    // At once: a resumed item inside its fade-out fades without waiting for the first tick.
    await this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the playing item; fades it out and advances when it is near its end and the next item follows on. */
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
    if (this.playingOn.length > 0) await this.fadeOutPlayingOn();
    let timing = await this.options.player.timing(current.deck, current.trackId);
    if (!timing || timing.state !== 'PLAYING') return;
    if (timing.remainingSeconds > MAX_FADE_SECONDS + AUTO_ADVANCE_LOAD_AHEAD_SECONDS) return;
    // Near the end: the item playing and what follows, read at most once a second (the host may edit the list meanwhile).
    const nowMs = this.now().getTime();
    if (this.upcoming?.after !== current.itemId || nowMs - this.upcoming.readAtMs >= READ_INTERVAL_MS) {
      const show = await this.options.store.getRunOfShow();
      this.position = show.position;
      this.upcoming = {
        after: show.position?.itemId ?? '',
        readAtMs: nowMs,
        playing: show.items.find((i) => i.itemId === show.position?.itemId),
        item: nextRunOfShowItem(show.items, show.position),
      };
    }
    if (this.upcoming.after !== current.itemId) return; // the show moved on meanwhile
    const due = this.upcoming.item;
    if (await this.fadeOutIfDue(current, this.upcoming.playing, due, timing, FADE_OUT_LOOK_AHEAD_SECONDS)) {
      timing = await this.options.player.timing(current.deck, current.trackId);
      if (!timing || timing.state !== 'PLAYING') return;
    }
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
      if (left?.state === 'STOPPED' || !left) {
        await this.begin(item, show.items, prepared, 'AUTO', current);
        return;
      }
      await prepared.discard();
      return;
    }
    // The item's fade-out, when it begins before the next one starts; then the next one, its crossfade before the end.
    const startInSeconds = left.remainingSeconds - item.crossfadeSeconds;
    const measuredAtMs = this.now().getTime();
    await this.fadeOutIfDue(current, show.items.find((i) => i.itemId === current.itemId), item, left, startInSeconds);
    const waitMs = startInSeconds * 1000 - (this.now().getTime() - measuredAtMs);
    if (waitMs > 0) await this.sleep(waitMs);
    await this.begin(item, show.items, prepared, 'AUTO', current);
  }

  /** Fades out the items moved on from that play on, on another deck, at their end; forgets those that ended. */
  private async fadeOutPlayingOn(): Promise<void> {
    for (const earlier of [...this.playingOn]) {
      const timing = await this.options.player.timing(earlier.deck, earlier.trackId);
      if (!timing || timing.state === 'STOPPED') {
        this.playingOn = this.playingOn.filter((p) => p !== earlier);
        continue;
      }
      if (timing.state !== 'PLAYING' || timing.fadingOut || timing.remainingSeconds > MAX_FADE_SECONDS + FADE_OUT_LOOK_AHEAD_SECONDS) continue;
      const nowMs = this.now().getTime();
      if (!this.listRead || nowMs - this.listRead.atMs >= READ_INTERVAL_MS) this.listRead = { atMs: nowMs, show: await this.options.store.getRunOfShow() };
      const item = this.listRead.show.items.find((i) => i.itemId === earlier.itemId);
      await this.fadeOutIfDue(earlier, item, undefined, timing, FADE_OUT_LOOK_AHEAD_SECONDS);
    }
  }

  /**
   * Fades the playing item out over its last `fadeOutSeconds` when that begins within `horizonSeconds` of the
   * timing (waiting until then); late (resumed by a replacement inside its fade-out, or a fade-out set since),
   * over what is left of it. Not when the item after it follows on with a crossfade on its deck (the crossfade
   * wins), nor twice. Returns whether it faded.
   */
  private async fadeOutIfDue(
    current: PlayingItem,
    playing: RunOfShowItem | undefined,
    following: RunOfShowItem | undefined,
    timing: TrackTiming,
    horizonSeconds: number,
  ): Promise<boolean> {
    if (!playing || !(playing.fadeOutSeconds > 0) || timing.fadingOut || timing.remainingSeconds <= 0) return false;
    const crossfadeWins = following?.autoAdvance === true && following.crossfadeSeconds > 0 && following.deck === current.deck && current.deck !== 'clip';
    if (crossfadeWins) return false;
    const waitSeconds = timing.remainingSeconds - playing.fadeOutSeconds;
    if (waitSeconds > horizonSeconds) return false;
    if (waitSeconds > 0) await this.sleep(waitSeconds * 1000);
    await this.options.player.fadeOut({
      deck: current.deck,
      programId: current.trackId,
      seconds: Math.min(playing.fadeOutSeconds, timing.remainingSeconds),
      itemId: playing.itemId,
      title: playing.title,
      cause: 'AUTO',
    });
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return (this.options.sleep ?? delay)(ms);
  }

  private async begin(
    item: RunOfShowItem,
    items: readonly RunOfShowItem[],
    prepared: PreparedTrack,
    how: ItemStarted['how'],
    previous: RunOfShowPosition | null,
  ): Promise<Date> {
    const startedAt = await prepared.start();
    // What it replaced on its deck is gone; the item before it on another deck (or a clip) plays on, watched for its fade-out.
    this.playingOn = this.playingOn.filter((p) => p.deck === 'clip' || p.deck !== item.deck);
    if (previous && previous.itemId !== item.itemId && (previous.deck !== item.deck || item.deck === 'clip')) {
      this.playingOn.push({ itemId: previous.itemId, trackId: previous.trackId, deck: previous.deck });
    }
    const position: RunOfShowPosition = {
      itemId: item.itemId,
      index: items.findIndex((i) => i.itemId === item.itemId),
      trackId: item.trackId,
      deck: item.deck,
      // When the page began to play it (its clock), the time the recording has it at.
      startedAt: startedAt.toISOString(),
    };
    this.position = position;
    this.options.logger.info('Run-of-show item started', { itemId: item.itemId, index: position.index, how });
    await this.options.store.putRunOfShowPosition(position);
    await this.options.onStarted?.({ item, position, how });
    return startedAt;
  }
}

/** The PLAY an item makes: its track (programId = its trackId) on its deck with its fades (and the fade-out of the track it replaces, for NEXT). */
export function playRequest(item: RunOfShowItem, cause: ItemStarted['how'], fadeOutReplaced?: PlayRequest['fadeOutReplaced']): PlayRequest {
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
    ...(fadeOutReplaced ? { fadeOutReplaced } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
