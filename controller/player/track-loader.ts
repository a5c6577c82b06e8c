/**
 * Puts a PLAY's track on the page: registers its media with the page server (the URL policy decides
 * first), loads it into a new voice at its start offset, and checks its duration, while its measured
 * loudness is looked up alongside (never holding up the start for long). A failure leaves nothing behind.
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

  /**
   * Loads a track on a deck, ready to start. `startAt` may be a function (the show clock when resuming
   * after a replacement): it is read before loading and again once loaded, and the voice is moved on by
   * the time loading took.
   */
  async load(deck: Deck, programUrl: string, startAt: number | (() => number)): Promise<LoadedTrack> {
    const media = this.options.openMedia(programUrl);
    const voiceId = `${deck}-${++this.voices}`;
    const loudness = (this.options.loudnessOf?.(programUrl) ?? Promise.resolve(undefined)).catch(() => undefined);
    const offset = () => (typeof startAt === 'function' ? startAt() : startAt);
    let startAtSeconds = offset();
    let durationSeconds: number;
    try {
      ({ durationSeconds } = await this.options.page.load(voiceId, deck, media.path, startAtSeconds));
    } catch (error) {
      media.release();
      throw loadError(error, media);
    }
    const refuse = async (reason: string): Promise<never> => {
      await this.options.page.stop(voiceId, 0);
      media.release();
      throw new CommandRejectedError(reason);
    };
    if (durationSeconds > this.maxMediaSeconds) {
      await refuse(`media is ${Math.round(durationSeconds)} s long, more than ${this.maxMediaSeconds} s`);
    }
    if (startAtSeconds >= durationSeconds) {
      await refuse(`startAtSeconds ${startAtSeconds} is beyond the end (${durationSeconds.toFixed(2)} s)`);
    }
    if (typeof startAt === 'function') {
      const now = offset();
      if (now >= durationSeconds) await refuse('the track has ended by the show clock');
      if (now - startAtSeconds > 0.05) await this.options.page.seek(voiceId, now);
      startAtSeconds = now;
    }
    let timer: NodeJS.Timeout | undefined;
    const measured = await Promise.race([
      loudness,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), LOUDNESS_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    return { voiceId, durationSeconds, media, loudness: measured, startAtSeconds };
  }
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
