/**
 * Time, injected: the engine reads the time and arms timers only through the local cloud's Clock
 * (gateway/clock.ts), so tests use a ManualClock and never sleep through a real timeout.
 */
import type { Clock, TimerHandle } from '#local-cloud/gateway/clock';

export type { Clock, TimerHandle };

/** The longest delay Node's setTimeout takes; longer timers are re-armed in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The wall clock; timers longer than setTimeout allows (24.8 days) are re-armed until due. */
export function wallClock(): Clock {
  return {
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
}

interface ManualTimer {
  id: number;
  dueAt: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance()` fires due timers in time order, and after each one
 * awaits `settle` (for example the engine's `whenIdle`) so the work a timer starts finishes first.
 */
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

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Timers armed and not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number, settle: () => Promise<void> = flushAsync): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.dueAt <= target).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.dueAt);
      due.fn();
      await settle();
    }
    this.current = target;
  }
}

/** Lets pending promise callbacks and immediates run. */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
