/**
 * The cue: the host listens to a track in the console, from any position, before it goes on air. It plays in
 * this page's own audio element from the track's listenUrl (GET /tracks): it is never added to what the page
 * publishes to the stage, and the program controller never hears of it, so nothing of it reaches the stage or
 * the recording. When it started and stopped (the page's clock) is kept on the element (`data-cue-*`).
 */
import type { ApiClient } from '#contract/api-client';
import { clock } from './show.ts';

/** The cue's start position typed by the host, in seconds (an empty or bad field is 0). */
export function cueFromSeconds(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export class CuePlayer {
  constructor(
    private readonly api: ApiClient,
    private readonly audio: HTMLAudioElement,
    private readonly status: HTMLElement,
  ) {
    audio.addEventListener('playing', () => {
      audio.dataset.cueStartedAt = String(Date.now());
      delete audio.dataset.cueStoppedAt;
      this.describe();
    });
    for (const stopped of ['pause', 'ended'] as const) {
      audio.addEventListener(stopped, () => {
        audio.dataset.cueStoppedAt = String(Date.now());
        this.describe();
      });
    }
  }

  /** Cues a track from `fromSeconds` (its listen URL read fresh: a presigned URL expires). */
  async cue(trackId: string, fromSeconds: number): Promise<void> {
    const track = (await this.api.call('listTracks', {})).tracks.find((t) => t.trackId === trackId);
    if (!track) throw new Error('That track is no longer among your tracks.');
    if (!track.listenUrl) throw new Error(`“${track.title}” cannot be listened to here.`);
    this.audio.pause();
    this.audio.dataset.trackId = trackId;
    this.audio.dataset.title = track.title;
    this.audio.preload = 'auto'; // so that the metadata (and the seek's bytes) load before play()
    this.audio.src = track.listenUrl;
    await new Promise<void>((resolve, reject) => {
      const loaded = () => {
        cleanup();
        resolve();
      };
      const failed = () => {
        cleanup();
        reject(new Error(`“${track.title}” could not be loaded for the cue.`));
      };
      const cleanup = () => {
        this.audio.removeEventListener('loadedmetadata', loaded);
        this.audio.removeEventListener('error', failed);
      };
      this.audio.addEventListener('loadedmetadata', loaded);
      this.audio.addEventListener('error', failed);
    });
    this.audio.currentTime = Math.min(fromSeconds, Number.isFinite(this.audio.duration) ? this.audio.duration : fromSeconds);
    this.audio.dataset.cueFromSeconds = String(this.audio.currentTime);
    await this.audio.play();
  }

  stop(): void {
    this.audio.pause();
  }

  private describe(): void {
    const title = this.audio.dataset.title ?? '';
    this.status.textContent = this.audio.paused
      ? `Cue stopped: ${title} at ${clock(this.audio.currentTime)}`
      : `Cueing (only you hear this): ${title} from ${clock(Number(this.audio.dataset.cueFromSeconds ?? 0))}`;
    this.status.dataset.state = this.audio.paused ? 'STOPPED' : 'PLAYING';
  }
}
