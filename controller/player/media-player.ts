/**
 * The player: applies the media commands to the page's mixing desk and knows what plays on each deck
 * (NowPlaying). A command that cannot succeed throws CommandRejectedError; what played goes on.
 *
 * Decks `program` and `bed` hold one track each:
 *   STOPPED --PLAY--> PLAYING --PAUSE--> PAUSED --RESUME--> PLAYING
 *   any --STOP--> STOPPED;  PLAY replaces (crossfading if asked);  SEEK keeps PLAYING/PAUSED;  SET_VOLUME in any state.
 * A PLAYING track may also be faded out to its end (fadeOut: the run-of-show's item fade-out): it stays PLAYING,
 * silent by its end, until a SEEK or a RESUME brings it back to full level.
 * Deck `clip` holds up to MAX_CLIPS_AT_ONCE one-shots: each PLAY adds one, each ends by itself; PAUSE, RESUME,
 * STOP and SET_VOLUME act on all of them.
 *
 * Ducking under voices (contract/ducking.ts): the page lowers the ducked decks while someone speaks; the player
 * keeps the show's settings (the show's own at the start, SET_DUCKING live), sends them to the page, reports
 * them in nowPlaying.decks.ducking (so a replacement controller keeps them) and turns each duck the page
 * reports into as-run entries (DUCK / UNDUCK, one per ducked deck).
 *
 * Loudness: each track plays with the gain that brings its measured integrated loudness to the target
 * (normalizationGainDb), unless normalisation is switched off for the show; an unmeasured track plays as it is.
 */
import {
  DEFAULT_DECK,
  DEFAULT_DUCKING,
  DUCKING_TIMING,
  mergeDucking,
  type DuckingSettings,
  MAX_CLIPS_AT_ONCE,
  normalizationGainDb,
  type CommandInput,
  type Deck,
  type DecksNowPlaying,
  type NowPlaying,
  type SingleDeckNowPlaying,
  type AsRunRecord,
  type TrackLoudness,
} from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import { MIN_FADE_SECONDS, releaseAfterFade } from './fades.ts';
import { roundMs, settleTrack, trackNowPlaying, type DeckTrack } from './deck-track.ts';
import { TrackLoader, type LoadingTrack, type TrackLoaderOptions } from './track-loader.ts';
import type { DeskStatus, DuckChange, StartOptions } from './page-audio.ts';

export type PlayState = NowPlaying['state'];
type SingleDeck = 'program' | 'bed';

/** What the session record keeps to let a replacement controller resume: NowPlaying plus each track's URL. */
export interface PlayerSnapshot {
  nowPlaying: NowPlaying;
  /** The program deck's track URL. */
  programUrl: string | null;
  /** The bed's and the clips' URLs (clips in the order of nowPlaying.decks.clip.clips). */
  deckUrls?: { bed: string | null; clips: string[] };
}

export interface MediaPlayerOptions extends TrackLoaderOptions {
  maxClips?: number;
  now?: () => Date;
  /** Told of every start, stop, fade, pause, resume and seek as the desk does it (the as-run log). */
  onEvent?: (record: AsRunRecord) => void;
}

/** How far a track has played (MediaPlayer.timing). */
export interface TrackTiming {
  state: PlayState;
  positionSeconds: number;
  remainingSeconds: number;
  /** Fading out to its end (MediaPlayer.fadeOut). */
  fadingOut: boolean;
}

/** A track loaded and ready to start (MediaPlayer.prepare). */
export interface PreparedTrack {
  durationSeconds: number;
  /** Starts it; resolves to the time it began to play (by the page's clock). */
  start(): Promise<Date>;
  discard(): Promise<void>;
}

/** How a track starts (MediaPlayer.plan): the page's start options, the fade-in it gets, and the track it replaces. */
interface StartPlan {
  options: StartOptions;
  fadeSeconds: number;
  /** The track it replaces on a single deck: let go after `fadeOutSeconds`; its STOP fades over `stopFadeSeconds`. */
  replaced?: { track: DeckTrack; fadeOutSeconds: number; stopFadeSeconds: number };
}

/** A PLAY as the player takes it (from a command, from the run-of-show, or from a snapshot when resuming). */
export interface PlayRequest {
  deck: Deck;
  programId: string;
  programUrl: string;
  startAt: number | (() => number);
  fadeInSeconds: number;
  crossfadeSeconds: number;
  /**
   * When it replaces this track (by programId) playing on its deck without a crossfade, that track fades out
   * over `seconds` as it starts (a run-of-show item's fade-out on NEXT); any other replacement is a cut.
   */
  fadeOutReplaced?: { programId: string; seconds: number };
  /** For the as-run log: the run-of-show item it plays, and what made it play (default: the command's type). */
  itemId?: string;
  title?: string;
  cause?: string;
}

export class MediaPlayer {
  private readonly singles: Record<SingleDeck, { track: DeckTrack | null; volume: number }> = {
    program: { track: null, volume: 1 },
    bed: { track: null, volume: 1 },
  };
  private clips: DeckTrack[] = [];
  private clipVolume = 1;
  private normalize = true;
  private ducking: DuckingSettings = DEFAULT_DUCKING;
  /** What made the desk act (the command applied now), for the as-run log. */
  private cause = 'RESUMED';
  private readonly loader: TrackLoader;
  private readonly now: () => Date;
  private readonly maxClips: number;

  constructor(private readonly options: MediaPlayerOptions) {
    this.loader = new TrackLoader(options);
    this.now = options.now ?? (() => new Date());
    this.maxClips = options.maxClips ?? MAX_CLIPS_AT_ONCE;
  }

  /**
   * Sends the page the load of a PLAY_MEDIA's track ahead of applying it (while the command's record is
   * written), to be handed to `apply`, or discarded; undefined for any other command, or when its URL is
   * refused (`apply` then says why).
   */
  preload(command: CommandInput): LoadingTrack | undefined {
    if (command.type !== 'PLAY_MEDIA') return undefined;
    try {
      return this.loader.open(command.deck ?? DEFAULT_DECK, command.programUrl, command.startAtSeconds ?? 0);
    } catch {
      return undefined;
    }
  }

  /**
   * Applies one command; throws CommandRejectedError when it cannot succeed. A PLAY_MEDIA resolves to the time
   * its track began to play (by the page's clock); `preloaded` is its `preload`, used (or let go) here.
   */
  async apply(command: CommandInput, preloaded?: LoadingTrack): Promise<Date | void> {
    this.cause = command.type;
    if (command.type !== 'PLAY_MEDIA') await preloaded?.discard();
    switch (command.type) {
      case 'PLAY_MEDIA':
        return this.play(
          {
            deck: command.deck ?? DEFAULT_DECK,
            programId: command.programId,
            programUrl: command.programUrl,
            startAt: command.startAtSeconds ?? 0,
            fadeInSeconds: command.fadeInSeconds ?? 0,
            crossfadeSeconds: command.crossfadeSeconds ?? 0,
          },
          preloaded,
        );
      case 'PAUSE_MEDIA':
        return this.pause(command.deck ?? DEFAULT_DECK, command.fadeOutSeconds ?? 0);
      case 'RESUME_MEDIA':
        return this.resume(command.deck ?? DEFAULT_DECK, command.fadeInSeconds ?? 0);
      case 'STOP_MEDIA':
        return this.stop(command.deck ?? DEFAULT_DECK, command.fadeOutSeconds ?? 0);
      case 'SEEK_MEDIA':
        return this.seek(command.deck ?? DEFAULT_DECK, command.seconds);
      case 'SET_VOLUME':
        return this.setVolume(command.deck ?? DEFAULT_DECK, command.volume);
      case 'SET_LOUDNESS_NORMALIZATION':
        return this.setNormalization(command.enabled);
      case 'SET_DUCKING': {
        const { type: _type, ...change } = command;
        return this.useDucking(mergeDucking(this.ducking, change));
      }
      case 'NEXT':
        throw new Error('NEXT is the run-of-show\'s (controller/show/), not the player\'s');
    }
  }

  /**
   * Loads and starts a track; on a single deck it replaces what plays there (which goes on if this fails).
   * At a fixed offset the start is sent right behind the load (the page starts the voice once loaded): one
   * wait for the page, not two. Resolves to the time it began to play.
   */
  private async play(request: PlayRequest, preloaded?: LoadingTrack): Promise<Date> {
    if (typeof request.startAt === 'function') {
      await preloaded?.discard();
      return (await this.prepare(request)).start();
    }
    const loading = preloaded ?? this.loader.open(request.deck, request.programUrl, request.startAt);
    let plan: StartPlan;
    try {
      // Clips that ended by themselves are only counted out (a page round trip) when the clip deck looks full.
      if (request.deck === 'clip' && this.clips.length >= this.maxClips) await this.settle();
      plan = this.plan(request, this.gainFor(await loading.loudness));
    } catch (error) {
      await loading.discard();
      throw error;
    }
    const [loaded, started] = await Promise.allSettled([loading.loaded, this.options.page.start(loading.voiceId, plan.options)]);
    if (loaded.status === 'rejected') throw loaded.reason;
    if (started.status === 'rejected' || !started.value.started) {
      await loading.discard();
      throw started.status === 'rejected' ? started.reason : new Error(`voice ${loading.voiceId} was gone before it started`);
    }
    const track: DeckTrack = {
      voiceId: loading.voiceId,
      programId: request.programId,
      programUrl: request.programUrl,
      durationSeconds: loaded.value.durationSeconds,
      loudness: await loading.loudness,
      gainDb: plan.options.gainDb,
      state: 'PLAYING',
      media: loading.media,
    };
    const startedAt = new Date(started.value.atMs);
    this.begun(request, track, plan, startedAt);
    return startedAt;
  }

  /**
   * Loads a track, ready to start (what plays goes on meanwhile): `start()` starts it as a PLAY does (replacing
   * what plays on its deck then, crossfading if asked), `discard()` lets it go unplayed. The run-of-show loads
   * an auto-advance ahead this way, so that it starts on time.
   */
  async prepare(request: PlayRequest): Promise<PreparedTrack> {
    const { deck } = request;
    if (deck === 'clip') {
      await this.settle();
      if (this.clips.length >= this.maxClips) throw new CommandRejectedError(`at most ${this.maxClips} clips may sound at once`);
    }
    const loaded = await this.loader.load(deck, request.programUrl, request.startAt);
    const track: DeckTrack = {
      voiceId: loaded.voiceId,
      programId: request.programId,
      programUrl: request.programUrl,
      durationSeconds: loaded.durationSeconds,
      loudness: loaded.loudness,
      gainDb: this.gainFor(loaded.loudness),
      state: 'PLAYING',
      media: loaded.media,
    };
    return {
      durationSeconds: loaded.durationSeconds,
      start: () => this.begin(request, track),
      discard: async () => {
        await this.options.page.stop(track.voiceId, 0);
        track.media.release();
      },
    };
  }

  /** Starts a loaded track (PreparedTrack.start); resolves to the time it began to play. */
  private async begin(request: PlayRequest, track: DeckTrack): Promise<Date> {
    const plan = this.plan(request, track.gainDb);
    const started = await this.options.page.start(track.voiceId, plan.options);
    if (!started.started) throw new Error(`voice ${track.voiceId} was gone before it started`);
    const startedAt = new Date(started.atMs);
    this.begun(request, track, plan, startedAt);
    return startedAt;
  }

  /**
   * How a track starts on its deck given what plays there now: a clip beside the others (refused when as many
   * sound as may), on a single deck replacing the track there (crossfading it when asked and it plays, else
   * fading it out as the request says or over the shortest fade).
   */
  private plan(request: PlayRequest, gainDb: number): StartPlan {
    const { deck } = request;
    if (deck === 'clip') {
      if (this.clips.length >= this.maxClips) throw new CommandRejectedError(`at most ${this.maxClips} clips may sound at once`);
      return { options: { gainDb, fadeInSeconds: request.fadeInSeconds, label: request.programId }, fadeSeconds: request.fadeInSeconds };
    }
    const previous = this.singles[deck].track;
    const crossfade = previous?.state === 'PLAYING' && request.crossfadeSeconds > 0;
    const fadeOut = !crossfade && previous?.state === 'PLAYING' && previous.programId === request.fadeOutReplaced?.programId ? request.fadeOutReplaced.seconds : 0;
    const fadeOutSeconds = crossfade ? request.crossfadeSeconds : Math.max(MIN_FADE_SECONDS, fadeOut);
    return {
      options: {
        gainDb,
        fadeInSeconds: crossfade ? request.crossfadeSeconds : request.fadeInSeconds,
        label: request.programId,
        ...(previous ? { replace: { voiceId: previous.voiceId, fadeOutSeconds, crossfade } } : {}),
      },
      fadeSeconds: crossfade ? request.crossfadeSeconds : request.fadeInSeconds,
      ...(previous ? { replaced: { track: previous, fadeOutSeconds, stopFadeSeconds: crossfade ? fadeOutSeconds : fadeOut } } : {}),
    };
  }

  /** What the desk knows once a track has started by its plan: it is on its deck, what it replaced is let go. */
  /** Takes a started track onto its deck; its as-run entries (and those of what it replaced) at `at`, when it began. */
  private begun(request: PlayRequest, track: DeckTrack, plan: StartPlan, at: Date): void {
    if (request.deck === 'clip') {
      this.clips.push(track);
    } else {
      const { replaced } = plan;
      if (replaced) releaseAfterFade(replaced.track.media, replaced.fadeOutSeconds);
      this.singles[request.deck].track = track;
      if (replaced?.track.state === 'PLAYING') this.stopped(request.deck, replaced.track, replaced.stopFadeSeconds, request.cause, at);
    }
    this.played(request, track, plan.fadeSeconds, at);
  }

  /** The as-run entries of a start. */
  private played(request: PlayRequest, track: DeckTrack, fadeSeconds: number, at: Date): void {
    this.event(
      {
      event: 'PLAY',
      deck: request.deck,
      programId: track.programId,
      programUrl: track.programUrl,
      durationSeconds: track.durationSeconds,
      positionSeconds: typeof request.startAt === 'number' ? request.startAt : 0,
      fadeSeconds,
      ...(request.itemId ? { itemId: request.itemId } : {}),
      ...(request.title ? { title: request.title } : {}),
      cause: request.cause ?? this.cause,
      },
      at,
    );
  }

  /** The as-run entries of a track stopped (or replaced), faded out over `fadeSeconds`. */
  private stopped(deck: Deck, track: DeckTrack, fadeSeconds: number, cause?: string, at?: Date): void {
    const base = { deck, programId: track.programId, programUrl: track.programUrl, cause: cause ?? this.cause };
    if (fadeSeconds > 0) this.event({ event: 'FADE', ...base, fadeSeconds }, at);
    this.event({ event: 'STOP', ...base, ...(fadeSeconds > 0 ? { fadeSeconds } : {}) }, at);
  }

  /** When the page made the change just awaited, by its clock (undefined when the page does not say). */
  private changedAt(): Date | undefined {
    const ms = this.options.page.lastChangeAtMs;
    return ms ? new Date(ms) : undefined;
  }

  /** An as-run entry, at `at` (when the desk made the change, by the page's clock) or else now. */
  private event(record: Omit<AsRunRecord, 'at'>, at?: Date): void {
    this.options.onEvent?.({ at: (at ?? this.now()).toISOString(), ...record });
  }

  /**
   * How far a track (by programId) on a deck has played, measured now: its state, the time left and whether
   * it is fading out to its end (fadeOut), or undefined when that deck does not hold it.
   */
  async timing(deck: Deck, programId: string): Promise<TrackTiming | undefined> {
    const status = await this.settle();
    const track = (await this.live(deck)).find((t) => t.programId === programId);
    if (!track) return undefined;
    const { positionSeconds, durationSeconds, state } = trackNowPlaying(track, status);
    return { state, positionSeconds, remainingSeconds: Math.max(0, durationSeconds - positionSeconds), fadingOut: track.fadingOut === true };
  }

  /**
   * Fades a playing track (by programId) on a deck out over `seconds`, letting it play on, silent, to its end:
   * it stays PLAYING and ends when it would have (a run-of-show item's fade-out before its end). The same
   * fade as a STOP's; the as-run log gets a FADE. Does nothing to a track that is not playing or already fading.
   */
  async fadeOut(request: { deck: Deck; programId: string; seconds: number; itemId?: string; title?: string; cause: string }): Promise<void> {
    const track = (await this.live(request.deck)).find((t) => t.programId === request.programId && t.state === 'PLAYING');
    if (!track || track.fadingOut) return;
    await this.options.page.fadeOut(track.voiceId, request.seconds);
    track.fadingOut = true;
    const at = this.changedAt();
    this.event({
      event: 'FADE',
      deck: request.deck,
      programId: track.programId,
      programUrl: track.programUrl,
      fadeSeconds: request.seconds,
      ...(request.itemId ? { itemId: request.itemId } : {}),
      ...(request.title ? { title: request.title } : {}),
      cause: request.cause,
    }, at);
  }

  private async pause(deck: Deck, fadeOutSeconds: number): Promise<void> {
    const tracks = await this.live(deck);
    if (tracks.some((t) => t.state === 'PAUSED') && !tracks.some((t) => t.state === 'PLAYING')) return;
    const playing = tracks.filter((t) => t.state === 'PLAYING');
    if (playing.length === 0) throw new CommandRejectedError(`nothing is playing on the ${deck} deck`);
    for (const track of playing) {
      await this.options.page.pause(track.voiceId, fadeOutSeconds);
      track.state = 'PAUSED';
      const base = { deck, programId: track.programId, programUrl: track.programUrl, cause: this.cause };
      const at = this.changedAt();
      if (fadeOutSeconds > 0) this.event({ event: 'FADE', ...base, fadeSeconds: fadeOutSeconds }, at);
      this.event({ event: 'PAUSE', ...base, ...(fadeOutSeconds > 0 ? { fadeSeconds: fadeOutSeconds } : {}) }, at);
    }
  }

  private async resume(deck: Deck, fadeInSeconds: number): Promise<void> {
    const tracks = await this.live(deck);
    const paused = tracks.filter((t) => t.state === 'PAUSED');
    if (paused.length === 0) {
      if (tracks.some((t) => t.state === 'PLAYING')) return;
      throw new CommandRejectedError(`nothing is paused on the ${deck} deck`);
    }
    for (const track of paused) {
      await this.options.page.resume(track.voiceId, fadeInSeconds);
      track.state = 'PLAYING';
      track.fadingOut = false;
      this.event({ event: 'RESUME', deck, programId: track.programId, programUrl: track.programUrl, fadeSeconds: fadeInSeconds, cause: this.cause }, this.changedAt());
    }
  }

  private async stop(deck: Deck | 'all', fadeOutSeconds: number): Promise<void> {
    const decks: Deck[] = deck === 'all' ? ['program', 'bed', 'clip'] : [deck];
    for (const d of decks) {
      const tracks = d === 'clip' ? this.clips : this.singles[d].track ? [this.singles[d].track] : [];
      for (const track of tracks) {
        await this.options.page.stop(track.voiceId, fadeOutSeconds);
        releaseAfterFade(track.media, fadeOutSeconds);
        if (track.state !== 'STOPPED') this.stopped(d, track, fadeOutSeconds, undefined, this.changedAt());
      }
      if (d === 'clip') this.clips = [];
      else this.singles[d].track = null;
    }
  }

  private async seek(deck: Deck, seconds: number): Promise<void> {
    if (deck === 'clip') throw new CommandRejectedError('a clip cannot be sought');
    const [track] = await this.live(deck);
    if (!track || track.state === 'STOPPED') throw new CommandRejectedError(`nothing is playing or paused on the ${deck} deck`);
    if (seconds >= track.durationSeconds) {
      throw new CommandRejectedError(`seek to ${seconds} s is beyond the end (${track.durationSeconds.toFixed(2)} s)`);
    }
    await this.options.page.seek(track.voiceId, seconds);
    track.fadingOut = false;
    this.event({ event: 'SEEK', deck, programId: track.programId, programUrl: track.programUrl, positionSeconds: seconds, cause: this.cause }, this.changedAt());
  }

  private async setVolume(deck: Deck, volume: number): Promise<void> {
    await this.options.page.setDeckVolume(deck, volume);
    if (deck === 'clip') this.clipVolume = volume;
    else this.singles[deck].volume = volume;
  }

  private async setNormalization(enabled: boolean): Promise<void> {
    this.normalize = enabled;
    await this.settle();
    for (const track of this.tracks()) {
      if (track.state === 'STOPPED') continue;
      track.gainDb = this.gainFor(track.loudness);
      await this.options.page.setGain(track.voiceId, track.gainDb);
    }
  }

  /** Puts ducking settings in force (the show's at the start, a SET_DUCKING, a previous controller's). */
  async useDucking(settings: DuckingSettings): Promise<void> {
    await this.options.page.setDucking(settings, DUCKING_TIMING);
    this.ducking = settings;
  }

  /** The as-run entries of a duck (or its end) the page made: one per ducked deck, naming the track it holds. */
  ducked(change: DuckChange): void {
    for (const deck of change.decks) {
      const track = this.singles[deck].track;
      const playing = track && track.state !== 'STOPPED' ? track : null;
      this.options.onEvent?.({
        at: new Date(change.atMs).toISOString(),
        event: change.event,
        deck,
        programId: playing?.programId ?? null,
        ...(playing ? { programUrl: playing.programUrl } : {}),
        gainDb: change.event === 'DUCK' ? -change.depthDb : 0,
        cause: change.cause,
      });
    }
  }

  private gainFor(loudness: TrackLoudness | undefined): number {
    return this.normalize && loudness ? normalizationGainDb(loudness.integratedLufs) : 0;
  }

  /** The tracks of a deck that are still there, once the page's status has been read. */
  private async live(deck: Deck): Promise<DeckTrack[]> {
    await this.settle();
    if (deck === 'clip') return this.clips;
    const track = this.singles[deck].track;
    return track ? [track] : [];
  }

  private tracks(): DeckTrack[] {
    return [this.singles.program.track, this.singles.bed.track, ...this.clips].filter((t): t is DeckTrack => t !== null);
  }

  /** Notices tracks that played to their end: a single deck keeps its track STOPPED at its end; an ended clip is let go. */
  private async settle(): Promise<DeskStatus> {
    const status = await this.options.page.status();
    for (const track of this.tracks()) if (settleTrack(track, status)) track.media.release();
    const ended = this.clips.filter((c) => c.state === 'STOPPED');
    if (ended.length > 0) {
      this.clips = this.clips.filter((c) => c.state !== 'STOPPED');
      for (const clip of ended) await this.options.page.stop(clip.voiceId, 0);
    }
    return status;
  }

  /** Whether any deck plays now (as far as the player knows). */
  get playing(): boolean {
    return this.tracks().some((t) => t.state === 'PLAYING');
  }

  /** What plays now on every deck, measured now. */
  async snapshot(): Promise<PlayerSnapshot> {
    const status = await this.settle();
    const single = (deck: SingleDeck): SingleDeckNowPlaying => {
      const { track, volume } = this.singles[deck];
      if (!track) return { programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume, gainDb: 0 };
      return { ...trackNowPlaying(track, status), volume };
    };
    const decks: DecksNowPlaying = {
      program: single('program'),
      bed: single('bed'),
      clip: { volume: this.clipVolume, clips: this.clips.map((c) => trackNowPlaying(c, status)) },
      normalizeLoudness: this.normalize,
      ducking: this.ducking,
    };
    const { programId, state, positionSeconds, durationSeconds, volume } = decks.program;
    return {
      nowPlaying: { programId, state, positionSeconds, durationSeconds, volume, updatedAt: this.now().toISOString(), decks },
      programUrl: this.singles.program.track?.programUrl ?? null,
      deckUrls: { bed: this.singles.bed.track?.programUrl ?? null, clips: this.clips.map((c) => c.programUrl) },
    };
  }

  /**
   * Picks up what a previous controller played: every deck's volume, the normalisation switch, and each
   * track at the position the show's clock says (positionSeconds + now − updatedAt while PLAYING, read again
   * once the media is loaded, so loading does not put it behind). A track that has ended by now is not
   * restarted; one that cannot be resumed does not keep the others from resuming (the first failure is thrown
   * after all were tried).
   */
  async restore(snapshot: PlayerSnapshot): Promise<void> {
    const { nowPlaying } = snapshot;
    const decks = nowPlaying.decks ?? legacyDecks(nowPlaying);
    this.normalize = decks.normalizeLoudness;
    this.cause = 'RESUMED';
    if (decks.ducking) await this.useDucking(decks.ducking);
    await this.setVolume('program', decks.program.volume);
    await this.setVolume('bed', decks.bed.volume);
    await this.setVolume('clip', decks.clip.volume);
    const showClock = (position: number, state: PlayState) => () => {
      const elapsed = state === 'PLAYING' ? (this.now().getTime() - Date.parse(nowPlaying.updatedAt)) / 1000 : 0;
      return Math.max(0, position + Math.max(0, elapsed));
    };
    const resumable: { deck: Deck; programId: string; url: string; position: number; duration: number | null; state: PlayState }[] = [];
    for (const deck of ['program', 'bed'] as const) {
      const d = decks[deck];
      const url = deck === 'program' ? snapshot.programUrl : (snapshot.deckUrls?.bed ?? null);
      if (d.programId && url && d.state !== 'STOPPED') {
        resumable.push({ deck, programId: d.programId, url, position: d.positionSeconds, duration: d.durationSeconds, state: d.state });
      }
    }
    decks.clip.clips.forEach((clip, i) => {
      const url = snapshot.deckUrls?.clips[i];
      if (url && clip.state !== 'STOPPED') {
        resumable.push({ deck: 'clip', programId: clip.programId, url, position: clip.positionSeconds, duration: clip.durationSeconds, state: clip.state });
      }
    });
    let firstFailure: unknown;
    for (const r of resumable) {
      const clock = showClock(r.position, r.state);
      if (r.duration !== null && clock() >= r.duration) continue;
      try {
        await this.play({ deck: r.deck, programId: r.programId, programUrl: r.url, startAt: clock, fadeInSeconds: 0, crossfadeSeconds: 0 });
        if (r.state === 'PAUSED') await this.pauseTrack(r.deck);
      } catch (error) {
        firstFailure ??= error;
      }
    }
    if (firstFailure) throw firstFailure;
  }

  /** Pauses the newest track of a deck (a resumed PAUSED track). */
  private async pauseTrack(deck: Deck): Promise<void> {
    const track = deck === 'clip' ? this.clips.at(-1) : this.singles[deck].track;
    if (!track) return;
    await this.options.page.pause(track.voiceId, 0);
    track.state = 'PAUSED';
  }
}

/** The decks of a now-playing record written before there were decks: its track on the program deck. */
function legacyDecks(nowPlaying: NowPlaying): DecksNowPlaying {
  const stopped = (volume: number): SingleDeckNowPlaying => ({ programId: null, state: 'STOPPED', positionSeconds: 0, durationSeconds: null, volume, gainDb: 0 });
  return {
    program: {
      programId: nowPlaying.programId,
      state: nowPlaying.state,
      positionSeconds: roundMs(nowPlaying.positionSeconds),
      durationSeconds: nowPlaying.durationSeconds,
      volume: nowPlaying.volume,
      gainDb: 0,
    },
    bed: stopped(1),
    clip: { volume: 1, clips: [] },
    normalizeLoudness: true,
  };
}
