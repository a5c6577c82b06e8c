/** Decides how long OnAir may still wait: until the show's end time, at least one second. */

/** Whole seconds from `now` to `endsAt` (ISO), never below 1. */
export function onAirSecondsLeft(endsAt: string, now: Date): number {
  const left = Math.ceil((Date.parse(endsAt) - now.getTime()) / 1000);
  return Number.isFinite(left) ? Math.max(1, left) : 1;
}

/** The show's end time: `maxShowSeconds` after it went live. */
export function showEndsAt(liveAt: Date, maxShowSeconds: number): string {
  return new Date(liveAt.getTime() + maxShowSeconds * 1000).toISOString();
}
