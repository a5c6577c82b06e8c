/** Decides whether a lost controller is replaced: within the restart budget of the window, unless ending. */
import { CONTROLLER_RESTART_WINDOW_SECONDS, MAX_CONTROLLER_RESTARTS } from '#contract/index';

export interface ReplacementDecision {
  /** Loss times still inside the window, the new one included (what the record keeps). */
  losses: string[];
  replace: boolean;
  /** Losses inside the window. */
  restarts: number;
}

/** Adds the loss at `now` to the earlier ones and decides. */
export function decideControllerReplacement(earlierLosses: readonly string[], now: Date, endRequested: boolean): ReplacementDecision {
  const windowStart = now.getTime() - CONTROLLER_RESTART_WINDOW_SECONDS * 1000;
  const losses = [...earlierLosses.filter((at) => Date.parse(at) > windowStart), now.toISOString()];
  const restarts = losses.length;
  return { losses, restarts, replace: restarts <= MAX_CONTROLLER_RESTARTS && !endRequested };
}
