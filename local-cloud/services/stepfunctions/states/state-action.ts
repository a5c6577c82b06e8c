/** What a state asks the engine to do next, and the shape of a state's handler. */
import type { JsonValue } from '../json.ts';
import type { ParsedResource } from '../task-resources.ts';

/** What a state handler sees. */
export interface StateContext {
  /** The state's raw input. */
  input: JsonValue;
  /** The context object (`$$`). */
  context: JsonValue;
  /** Milliseconds since the epoch. */
  now: number;
}

/** `next: null` ends the execution successfully with `output`. */
export type StateAction =
  | { kind: 'transition'; output: JsonValue; next: string | null }
  | { kind: 'succeed'; output: JsonValue }
  | { kind: 'fail'; error: string; cause: string }
  | { kind: 'wait'; untilMs: number; output: JsonValue; next: string | null }
  | { kind: 'task'; resource: ParsedResource };

export type StateHandler<S> = (state: S, ctx: StateContext) => StateAction;

/** The state's Next, or null for End. */
export function nextOf(state: { Next?: string; End?: boolean }): string | null {
  return state.End ? null : (state.Next ?? null);
}
