/**
 * `shelcaster trace --json`: the trace as one JSON document, for machines.
 */
import type { SessionTrace } from './trace-model.ts';

/** The trace as pretty-printed JSON, ending with a newline. */
export function renderJson(trace: SessionTrace): string {
  return `${JSON.stringify(trace, null, 2)}\n`;
}
