/**
 * Where the controller's join spends its time: milliseconds from the process start (Node's own clock, so
 * the module loading before `main` counts) to the end of each phase, logged with "Joined the stage and
 * publishing" (the benchmark's `join` figure reads them).
 */
import { performance } from 'node:perf_hooks';

export class JoinClock {
  private readonly phases: Record<string, number> = {};

  /** Notes that a phase ended now; returns the time (ms since the process started). */
  mark(phase: string): number {
    const now = Math.round(performance.now());
    this.phases[phase] = now;
    return now;
  }

  /** Notes when a promise settles as the end of a phase; returns the promise. */
  timed<T>(phase: string, work: Promise<T>): Promise<T> {
    return work.finally(() => this.mark(phase));
  }

  /** Notes a phase that ended at a known time (ms since the process started), measured elsewhere. */
  markAt(phase: string, atMs: number): void {
    this.phases[phase] = Math.round(atMs);
  }

  /** Each phase's end, in ms since the process started. */
  get sinceProcessStart(): Record<string, number> {
    return { ...this.phases };
  }
}
