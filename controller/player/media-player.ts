/**
 * The player's state machine: applies the media commands to the page's audio graph and knows what
 * plays (NowPlaying). A command that cannot succeed throws CommandRejectedError; what played goes on.
 *
 *   STOPPED --PLAY--> PLAYING --PAUSE--> PAUSED --RESUME--> PLAYING
 *   any --STOP--> STOPPED;  PLAY replaces;  SEEK keeps PLAYING/PAUSED;  SET_VOLUME in any state.
 */
import { rm } from 'node:fs/promises';
import { MAX_MEDIA_SECONDS, type CommandInput, type NowPlaying } from '#contract/index';
import { CommandRejectedError } from '../errors.ts';
import type { PageAudio } from './page-audio.ts';

export type PlayState = NowPlaying['state'];

/** What the session record keeps to let a replacement controller resume: NowPlaying plus the program's URL. */
export interface PlayerSnapshot {
  nowPlaying: NowPlaying;
  programUrl: string | null;
}

export interface MediaPlayerOptions {
  page: PageAudio;
  /** Fetches a programUrl into a local file. */
  fetchMedia: (programUrl: string) => Promise<{ filePath: string }>;
  maxMediaSeconds?: number;
  now?: () => Date;
}

interface Program {
  programId: string;
  programUrl: string;
  durationSeconds: number;
}

export class MediaPlayer {
  private program: Program | null = null;
  private state: PlayState = 'STOPPED';
  private volume = 1;
  private readonly now: () => Date;
  private readonly maxMediaSeconds: number;

  constructor(private readonly options: MediaPlayerOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxMediaSeconds = options.maxMediaSeconds ?? MAX_MEDIA_SECONDS;
  }

  /** Applies one command; throws CommandRejectedError when it cannot succeed. */
  async apply(command: CommandInput): Promise<void> {
    switch (command.type) {
      case 'PLAY_MEDIA':
        return this.play(command.programId, command.programUrl, command.startAtSeconds ?? 0);
      case 'PAUSE_MEDIA':
        return this.pause();
      case 'RESUME_MEDIA':
        return this.resume();
      case 'STOP_MEDIA':
        return this.stop();
      case 'SEEK_MEDIA':
        return this.seek(command.seconds);
      case 'SET_VOLUME':
        return this.setVolume(command.volume);
    }
  }

  /**
   * Fetches, decodes and starts a program, replacing what plays (which goes on if this fails).
   * `startAtSeconds` may be a function: it is then read once the media is ready, just before it starts.
   */
  async play(programId: string, programUrl: string, startAt: number | (() => number)): Promise<void> {
    const { filePath } = await this.options.fetchMedia(programUrl);
    let durationSeconds: number;
    try {
      ({ durationSeconds } = await this.options.page.load(filePath));
    } catch (error) {
      throw new CommandRejectedError(`media could not be decoded: ${(error as Error).message}`, { cause: error });
    } finally {
      await rm(filePath, { force: true });
    }
    if (durationSeconds > this.maxMediaSeconds) {
      await this.options.page.discardPending();
      throw new CommandRejectedError(`media is ${Math.round(durationSeconds)} s long, more than ${this.maxMediaSeconds} s`);
    }
    const startAtSeconds = typeof startAt === 'function' ? startAt() : startAt;
    if (startAtSeconds >= durationSeconds) {
      await this.options.page.discardPending();
      throw new CommandRejectedError(`startAtSeconds ${startAtSeconds} is beyond the end (${durationSeconds.toFixed(2)} s)`);
    }
    await this.options.page.startPending(startAtSeconds, programId);
    this.program = { programId, programUrl, durationSeconds };
    this.state = 'PLAYING';
  }

  private async pause(): Promise<void> {
    await this.settle();
    if (this.state === 'PAUSED') return;
    if (this.state !== 'PLAYING') throw new CommandRejectedError('nothing is playing');
    await this.options.page.pause();
    this.state = 'PAUSED';
  }

  private async resume(): Promise<void> {
    await this.settle();
    if (this.state === 'PLAYING') return;
    if (this.state !== 'PAUSED') throw new CommandRejectedError('nothing is paused');
    const status = await this.options.page.status();
    await this.options.page.play(status.positionSeconds);
    this.state = 'PLAYING';
  }

  private async stop(): Promise<void> {
    await this.options.page.stop();
    this.program = null;
    this.state = 'STOPPED';
  }

  private async seek(seconds: number): Promise<void> {
    await this.settle();
    if (!this.program || this.state === 'STOPPED') throw new CommandRejectedError('nothing is playing or paused');
    if (seconds >= this.program.durationSeconds) {
      throw new CommandRejectedError(`seek to ${seconds} s is beyond the end (${this.program.durationSeconds.toFixed(2)} s)`);
    }
    await this.options.page.seek(seconds);
  }

  private async setVolume(volume: number): Promise<void> {
    await this.options.page.setVolume(volume);
    this.volume = volume;
  }

  /** Notices a program that played to its end by itself (then it is STOPPED at its end). */
  private async settle(): Promise<void> {
    if (this.state !== 'PLAYING') return;
    const status = await this.options.page.status();
    if (status.ended || !status.playing) this.state = 'STOPPED';
  }

  /** Whether a program is playing now (as far as the player knows). */
  get playing(): boolean {
    return this.state === 'PLAYING';
  }

  /** What plays now, measured now. */
  async snapshot(): Promise<PlayerSnapshot> {
    await this.settle();
    const status = this.program ? await this.options.page.status() : undefined;
    const ended = this.program !== null && this.state === 'STOPPED';
    return {
      nowPlaying: {
        programId: this.program?.programId ?? null,
        state: this.state,
        positionSeconds: ended ? this.program!.durationSeconds : round(status?.positionSeconds ?? 0),
        durationSeconds: this.program ? round(this.program.durationSeconds) : null,
        volume: this.volume,
        updatedAt: this.now().toISOString(),
      },
      programUrl: this.program?.programUrl ?? null,
    };
  }

  /**
   * Picks up what a previous controller played: the program at the position the show's clock says
   * (positionSeconds + now − updatedAt while PLAYING, read once the media is loaded, so fetching and
   * decoding do not put it behind), and the volume. A program that has ended by now is not restarted.
   */
  async restore(snapshot: PlayerSnapshot): Promise<void> {
    const { nowPlaying, programUrl } = snapshot;
    await this.setVolume(nowPlaying.volume);
    if (!nowPlaying.programId || !programUrl || nowPlaying.state === 'STOPPED') return;
    const showClock = () => {
      const elapsed = nowPlaying.state === 'PLAYING' ? (this.now().getTime() - Date.parse(nowPlaying.updatedAt)) / 1000 : 0;
      return Math.max(0, nowPlaying.positionSeconds + Math.max(0, elapsed));
    };
    if (nowPlaying.durationSeconds !== null && showClock() >= nowPlaying.durationSeconds) return;
    await this.play(nowPlaying.programId, programUrl, showClock);
    if (nowPlaying.state === 'PAUSED') await this.pause();
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
