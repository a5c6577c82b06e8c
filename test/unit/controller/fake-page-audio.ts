/**
 * A fake PageAudio for unit tests: a clock-driven player with the page's semantics (pending slot,
 * position that advances while playing, end of program), recording every call.
 */
import type { PageAudio, PageAudioStatus } from '#controller/player/page-audio';

export class FakePageAudio implements PageAudio {
  calls: string[] = [];
  /** Duration the next load reports, or an error to throw. */
  nextLoad: { durationSeconds: number } | Error = { durationSeconds: 60 };
  clockSeconds = 0;
  private buffer: number | null = null;
  private pending: number | null = null;
  private startedAt: number | null = null;
  private offset = 0;
  private volume = 1;

  async load(filePath: string) {
    this.calls.push(`load ${filePath}`);
    if (this.nextLoad instanceof Error) throw this.nextLoad;
    this.pending = this.nextLoad.durationSeconds;
    return this.nextLoad;
  }
  async discardPending() {
    this.calls.push('discardPending');
    this.pending = null;
  }
  async startPending(offsetSeconds: number, programId: string) {
    this.calls.push(`startPending ${offsetSeconds} ${programId}`);
    this.buffer = this.pending;
    this.pending = null;
    this.offset = offsetSeconds;
    this.startedAt = this.clockSeconds;
  }
  async play(offsetSeconds: number) {
    this.calls.push(`play ${offsetSeconds}`);
    this.offset = offsetSeconds;
    this.startedAt = this.clockSeconds;
  }
  async pause() {
    this.calls.push('pause');
    this.offset = this.position();
    this.startedAt = null;
    return this.offset;
  }
  async stop() {
    this.calls.push('stop');
    this.buffer = null;
    this.startedAt = null;
    this.offset = 0;
  }
  async seek(seconds: number) {
    this.calls.push(`seek ${seconds}`);
    this.offset = seconds;
    if (this.startedAt !== null) this.startedAt = this.clockSeconds;
  }
  async setVolume(volume: number) {
    this.calls.push(`setVolume ${volume}`);
    this.volume = volume;
  }
  async status(): Promise<PageAudioStatus> {
    const ended = this.buffer !== null && this.startedAt !== null && this.position() >= this.buffer;
    return {
      loaded: this.buffer !== null,
      playing: this.startedAt !== null && !ended,
      ended,
      positionSeconds: this.position(),
      durationSeconds: this.buffer,
      volume: this.volume,
      level: this.startedAt !== null && !ended ? 0.3 * this.volume : 0,
    };
  }
  private position(): number {
    const p = this.startedAt === null ? this.offset : this.offset + (this.clockSeconds - this.startedAt);
    return this.buffer === null ? p : Math.min(p, this.buffer);
  }
}
