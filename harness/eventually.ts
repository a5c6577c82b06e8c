/**
 * The one poll of the tests and the benchmark: asks `check` again every `intervalMs` until it answers a value
 * (undefined means not yet; a thrown error counts as not yet, and is told if time runs out).
 */

/** Default pause between two checks. */
export const DEFAULT_POLL_INTERVAL_MS = 200;

/** Polls `check` until it returns a value or `timeoutMs` has passed (then throws, naming `what`). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  intervalMs = DEFAULT_POLL_INTERVAL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
