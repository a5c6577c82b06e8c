/**
 * Puts a PLAY's track on the page: registers its media with the page server (the URL policy decides
 * first), sends the page the load of a new voice at its start offset (the page checks its duration and
 * offset), while its measured loudness is looked up alongside (never holding up the start for long). A
 * failure leaves nothing behind.
 *
 * `open` only sends the load: the voice may be started right behind it (the page starts it once loaded), so a
 * PLAY costs one wait for the page rather than one for its load and one for its start. `load` waits for it.
 */
import { MAX_MEDIA_SECONDS, type Deck, type TrackLoudness } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { MediaHandle } from '../media/media-proxy.ts';
import type { PageAudio } from './page-audio.ts';

/** How long a start waits for the loudness lookup once the media is ready (it then starts unmeasured). */
export const LOUDNESS_WAIT_MS = 50;

export interface TrackLoaderOptions {
  page: PageAudio;
  /** Registers a programUrl's media with the page server; throws MediaRefusedError when the policy refuses it. */
  openMedia: (programUrl: string) => MediaHandle;
  /** The loudness measured for a programUrl's track, if any. */
  loudnessOf?: (programUrl: string) => Promise<TrackLoudness | undefined>;
  maxMediaSeconds?: number;
}

/** A track whose load has been sent to the page (TrackLoader.open); it may be started before it is loaded. */
export interface LoadingTrack {
  voiceId: string;
  media: MediaHandle;
  startAtSeconds: number;
  /**
   * Its duration once loaded; rejects (its media released) when the load failed (CommandRejectedError when no
   * retry can mend it) or the page refused the track (too long, or the offset past its end).
   */
  loaded: Promise<{ durationSeconds: number }>;
  /** Its measured loudness, waited for at most LOUDNESS_WAIT_MS once loaded (undefined: it plays unmeasured). */
  loudness: Promise<TrackLoudness | undefined>;
  /** Lets it go unplayed (once its load has settled). */
  discard(): Promise<void>;
}

export interface LoadedTrack {
  voiceId: string;
  durationSeconds: number;
  media: MediaHandle;
  loudness: TrackLoudness | undefined;
  startAtSeconds: number;
}

export class TrackLoader {
  private voices = 0;
  private readonly maxMediaSeconds: number;

  constructor(private readonly options: TrackLoaderOptions) {
    this.maxMediaSeconds = options.maxMediaSeconds ?? MAX_MEDIA_SECONDS;
  }

  /** Sends the load of a track on a deck at `startAtSeconds`, without waiting for it; throws when the URL is refused. */
  open(deck: Deck, programUrl: string, startAtSeconds: number): LoadingTrack {
    const media = this.options.openMedia(programUrl);
    const voiceId = `${deck}-${++this.voices}`;
    const lookup = this.options.loudnessOf?.(programUrl) ?? Promise.resolve(undefined);
    const loaded = this.options.page.load(voiceId, deck, media.path, startAtSeconds, this.maxMediaSeconds).then(
      ({ durationSeconds, startable }) => {
        if (startable) return { durationSeconds };
        media.release();
        throw new CommandRejectedError(this.refusal(durationSeconds, startAtSeconds));
      },
      (error: unknown) => {
        media.release();
        throw loadError(error, media);
      },
    );
    // Nobody may be waiting on it yet (a start sent right behind it is): its failure is handled where awaited.
    loaded.catch(() => undefined);
    return {
      voiceId,
      media,
      startAtSeconds,
      loaded,
      loudness: boundedLoudness(lookup, loaded),
      discard: async () => {
        if (await loaded.then(() => true, () => false)) {
          await this.options.page.stop(voiceId, 0);
          media.release();
        }
      },
    };
  }

  /**
   * Loads a track on a deck, ready to start. `startAt` may be a function (the show clock when resuming
   * after a replacement): it is read before loading and again once loaded, and the voice is moved on by
   * the time loading took.
   */
  async load(deck: Deck, programUrl: string, startAt: number | (() => number)): Promise<LoadedTrack> {
    const offset = () => (typeof startAt === 'function' ? startAt() : startAt);
    const track = this.open(deck, programUrl, offset());
    const { durationSeconds } = await track.loaded;
    let { startAtSeconds } = track;
    if (typeof startAt === 'function') {
      const now = offset();
      if (now >= durationSeconds) {
        await track.discard();
        throw new CommandRejectedError('the track has ended by the show clock');
      }
      if (now - startAtSeconds > 0.05) await this.options.page.seek(track.voiceId, now);
      startAtSeconds = now;
    }
    return { voiceId: track.voiceId, durationSeconds, media: track.media, loudness: await track.loudness, startAtSeconds };
  }

  /** Why the page would not start a track it loaded. */
  private refusal(durationSeconds: number, startAtSeconds: number): string {
    if (durationSeconds > this.maxMediaSeconds) return `media is ${Math.round(durationSeconds)} s long, more than ${this.maxMediaSeconds} s`;
    return `startAtSeconds ${startAtSeconds} is beyond the end (${durationSeconds.toFixed(2)} s)`;
  }
}

/**
 * The loudness lookup's answer, or undefined when it fails or has not come LOUDNESS_WAIT_MS after the media
 * is loaded (or the load failed).
 */
function boundedLoudness(lookup: Promise<TrackLoudness | undefined>, loaded: Promise<unknown>): Promise<TrackLoudness | undefined> {
  let answered = false;
  let timer: NodeJS.Timeout | undefined;
  const measured = lookup.then(
    (loudness) => loudness,
    () => undefined,
  );
  void measured.then(() => {
    answered = true;
    clearTimeout(timer);
  });
  const waited = loaded.then(
    () => (answered ? undefined : new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), LOUDNESS_WAIT_MS)))),
    () => undefined,
  );
  return Promise.race([measured, waited]);
}

/** What a failed load means: the proxy's reason for a read that failed, or media the page could not decode. */
function loadError(error: unknown, media: MediaHandle): Error {
  if (error instanceof CommandRejectedError) return error;
  const failure = media.failure();
  if (failure?.final) return new CommandRejectedError(failure.reason, { cause: error });
  if (failure) return new Error(`media read failed: ${failure.reason}`, { cause: error });
  const detail = (error as Error).message.split('\n')[0];
  return new CommandRejectedError(`media could not be decoded: ${detail}`, { cause: error });
}
