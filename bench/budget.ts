/**
 * The benchmark's time budget (issue 7: a run finishes in under 15 minutes) and each step's share of it
 * (issue 16: every run measures every figure, each with its own share).
 */

/** The whole run must finish within this. */
export const RUN_BUDGET_MS = 15 * 60 * 1000;
/** After this, loops stop adding work (and say so), leaving time to end sessions and stop the cloud. */
export const SOFT_BUDGET_MS = 13.5 * 60 * 1000;

/**
 * Seconds of the soft budget each step may take, by the step's first figure id. They add up to no more than
 * the soft budget (test/unit/bench/budget.test.ts).
 */
export const SHARE_SECONDS = {
  start: 55,
  // cold and warm starts and the faults, side by side (bench/run.ts)
  'cold-start': 300,
  commands: 50,
  audible: 45,
  caller: 35,
  duck: 40,
  play: 20,
  recovery: 35,
  gateway: 5,
  // shows at once (about 15 s per show up to the cap of 12), then the API under load (a 5 s warm-up, 30 s of
  // load, the drain and the check: `loadReserveMs`)
  shows: 225,
} as const;

/**
 * When a step that begins at `began` stops adding work: its share, shrunk in proportion when the steps before
 * ran over theirs (`laterShares`, this step's share and those after it, no longer fit before `softEnd`), and
 * never past `softEnd`.
 */
export function stepDeadline(began: number, shareSeconds: number, laterShares: number, softEnd: number): number {
  const remaining = Math.max(0, softEnd - began);
  const scale = laterShares > 0 ? Math.min(1, remaining / (laterShares * 1000)) : 1;
  return Math.min(softEnd, began + shareSeconds * 1000 * scale);
}

/** Of the shows-and-load step's share, what "shows at once" leaves for the load after it. */
export function loadReserveMs(loadSeconds: number): number {
  return (loadSeconds + 45) * 1000;
}
