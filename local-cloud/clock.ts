/**
 * Time as the local cloud sees it: one Clock (the time now, and timers on that time) that every service
 * takes (Step Functions, SQS, Logs, S3, Lambda, ECS), so tests move time by hand (a manual clock,
 * test/fixtures/local-cloud/manual-clock.ts) instead of sleeping through visibility timeouts, retention
 * periods, deduplication windows, task timeouts and stop timeouts.
 */

/** A handle returned by Clock.setTimeout. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** The longest delay Node's setTimeout takes; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The wall clock and Node's timers. Timers do not keep the process alive (the servers and child processes
 * of the local cloud do), and a timer longer than setTimeout allows (24.8 days) is re-armed until due.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const dueAt = Date.now() + Math.max(0, ms);
    let timer: NodeJS.Timeout;
    const arm = (): void => {
      timer = setTimeout(() => (Date.now() < dueAt ? arm() : fn()), Math.min(Math.max(0, dueAt - Date.now()), MAX_TIMEOUT_MS));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Lets pending promise callbacks and immediates run (a few turns of the event loop). */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
