/**
 * The clock the recorder mixes by. It follows the wall clock, but advances by at most MAX_MIX_STEP_MS per
 * tick: when the event loop stalled (a busy process, a GC pause), the packets that waited in the socket
 * meanwhile are read between the next ticks, before the frames they belong to are mixed; a clock that
 * jumped to "now" at once would mix those frames first and drop the packets as late (a gap in the track).
 * The timeline is not affected: packets are placed by their RTP timestamps, not by when they were read.
 */

/** Largest step of the mix clock per tick (several normal ticks, so it keeps up under load). */
export const MAX_MIX_STEP_MS = 100;

/** The recorder's mix clock. */
export class MixClock {
  private current: number;

  /** @param startMs wall-clock time (ms) the clock starts at. */
  constructor(startMs: number) {
    this.current = startMs;
  }

  /** Moves towards `nowMs` (never backwards, at most one step); returns the time to mix until. */
  advance(nowMs: number): number {
    this.current = Math.max(this.current, Math.min(nowMs, this.current + MAX_MIX_STEP_MS));
    return this.current;
  }
}
