/**
 * Time, injected: the engine reads the time and arms timers only through a Clock, so tests use a
 * ManualClock and never sleep through a real timeout.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once `delayMs` have passed. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The longest delay setTimeout takes; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The wall clock (Date.now and setTimeout). */
export function systemClock(): Clock {
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  const arm = (id: number, dueAt: number, callback: () => void): void => {
    const delay = Math.max(0, dueAt - Date.now());
    const timeout = setTimeout(
      () => {
        if (Date.now() < dueAt) return arm(id, dueAt, callback);
        timers.delete(id);
        callback();
      },
      Math.min(delay, MAX_TIMEOUT_MS),
    );
    timeout.unref?.();
    timers.set(id, timeout);
  };
  return {
    now: () => Date.now(),
    setTimer(delayMs, callback) {
      const id = nextId++;
      arm(id, Date.now() + delayMs, callback);
      return { id };
    },
    clearTimer(handle) {
      const timeout = timers.get(handle.id);
      if (timeout) clearTimeout(timeout);
      timers.delete(handle.id);
    },
  };
}

interface ManualTimer {
  id: number;
  dueAt: number;
  callback: () => void;
}

/** A clock that moves only when told to: `advance()` fires due timers in time order. */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ManualTimer[] = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Timers armed and not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing each timer due on the way at its own time, in order; after each
   * firing awaits `settle` (for example the engine's `whenIdle`) so work a timer starts finishes first.
   */
  async advance(ms: number, settle: () => Promise<void> = flushAsync): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.dueAt <= target).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.dueAt);
      due.callback();
      await settle();
    }
    this.current = target;
  }
}

/** Lets pending promise callbacks and immediates run. */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
