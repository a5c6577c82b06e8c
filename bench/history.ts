/**
 * Reads an execution's history the way the benchmark needs it: how long each state took. Pure.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** One pass through a state: its name and when it was entered and exited (epoch ms). */
export interface StateSpan {
  name: string;
  enteredAt: number;
  exitedAt: number;
}

/** Every state entered and exited, in the order entered (a state still running has no span). */
export function stateSpans(events: readonly HistoryEvent[]): StateSpan[] {
  const open = new Map<string, number[]>();
  const spans: StateSpan[] = [];
  for (const event of events) {
    const at = event.timestamp ? new Date(event.timestamp).getTime() : Number.NaN;
    if (event.type?.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '';
      open.set(name, [...(open.get(name) ?? []), at]);
    } else if (event.type?.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name ?? '';
      const entered = open.get(name)?.shift();
      if (entered !== undefined) spans.push({ name, enteredAt: entered, exitedAt: at });
    }
  }
  return spans.sort((a, b) => a.enteredAt - b.enteredAt);
}

/** Milliseconds spent in each of `names` on the first pass through it (absent when not passed through). */
export function firstPassDurations(events: readonly HistoryEvent[], names: readonly string[]): Record<string, number> {
  const spans = stateSpans(events);
  const out: Record<string, number> = {};
  for (const name of names) {
    const span = spans.find((s) => s.name === name);
    if (span) out[name] = span.exitedAt - span.enteredAt;
  }
  return out;
}

/** When the execution started (epoch ms), from its ExecutionStarted event. */
export function executionStartedAt(events: readonly HistoryEvent[]): number | undefined {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  return started?.timestamp ? new Date(started.timestamp).getTime() : undefined;
}
