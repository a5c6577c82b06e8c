/**
 * `shelcaster trace`: the trace as text for a terminal — the session, the states in order, restarts,
 * retries, heartbeats, commands, and a legend that says where each number comes from.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { END_REASONS } from '#contract/index';
import type { SessionTrace, StateVisit } from './trace-model.ts';

/** A duration for people: `840 ms`, `12.4 s`, `3 min 05 s`, `2 h 01 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

/** Lines of a table with columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * A cause as a person reads it: a Lambda error document (`{"errorType","errorMessage","trace"}`, what Step
 * Functions records as the cause of a failed Lambda task) shortened to its message; other causes as they are.
 */
export function causeText(cause: string | undefined): string | undefined {
  if (!cause?.startsWith('{')) return cause;
  try {
    const document = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof document.errorMessage === 'string' ? document.errorMessage : cause;
  } catch {
    return cause;
  }
}

function outcomeText(visit: StateVisit): string {
  if (visit.outcome === 'succeeded' || visit.outcome === 'running') return visit.outcome;
  const error = [visit.error, causeText(visit.cause)].filter(Boolean).join(': ');
  return error ? `${visit.outcome} (${error})` : visit.outcome;
}

/** The legend: where each figure comes from. */
export const LEGEND = [
  'Legend',
  '  states      the execution history (GetExecutionHistory): one row per StateEntered, duration to its StateExited',
  '  attempts    TaskScheduled events of the visit; a retry is a failure followed by a new TaskScheduled in the same state',
  '  caught      the task failed and a Catch moved on to the next state; failed: the execution failed there',
  '  heartbeats  counted from the controller log lines (/ecs/shelcaster-program-controller) for this session:',
  '              Step Functions history records no heartbeats',
  '  restarts    controllerRestarts of the session record (or ReplaceController visits, if more)',
  '  latency     a command\'s acceptedAt → appliedAt (session table)',
];

function reasonText(reason: string): string {
  return (END_REASONS as Record<string, string | undefined>)[reason] ?? '';
}

/** The trace as text. */
export function renderText(trace: SessionTrace): string {
  const out: string[] = [];
  const session = trace.session;
  const sessionLine = session
    ? `${session.status}${session.reason ? ` (${session.reason}: ${session.reasonDetail ?? reasonText(session.reason)})` : ''}`
    : 'no session record';
  out.push(`Session    ${trace.sessionId}${session?.title ? `  "${session.title}"` : ''}  ${sessionLine}`);
  out.push(`Execution  ${trace.executionArn}`);
  out.push(
    `           ${trace.status}  started ${trace.startedAt}${trace.stoppedAt ? `  stopped ${trace.stoppedAt}  took ${formatDuration(trace.durationMs)}` : ''}`,
  );
  if (trace.failure) {
    out.push(`Failed     ${[trace.failure.error, causeText(trace.failure.cause)].filter(Boolean).join(': ')}${trace.failure.state ? `  (in ${trace.failure.state})` : ''}`);
  }
  out.push('', 'States');
  out.push(
    ...table(
      ['#', 'state', 'started', 'duration', 'attempts', 'outcome'],
      trace.states.map((visit, i) => [
        String(i + 1),
        visit.name,
        visit.enteredAt,
        formatDuration(visit.durationMs),
        visit.attempts === 0 ? '-' : String(visit.attempts),
        outcomeText(visit),
      ]),
    ).map((line) => `  ${line}`),
  );
  out.push('', `Retries             ${trace.retries}`);
  for (const visit of trace.states.filter((v) => v.retries > 0)) {
    for (const failure of visit.failures) out.push(`  ${visit.name}  ${failure.at}  ${failure.error}: ${causeText(failure.cause)}`);
  }
  out.push(
    `Heartbeats          ${trace.heartbeats ? `${trace.heartbeats.sent} sent, ${trace.heartbeats.failed} failed` : 'unknown (the controller log could not be read)'}`,
  );
  out.push(`Controller restarts ${trace.controller.restarts}`);
  for (const loss of trace.controller.losses) {
    out.push(`  lost ${loss.at}  ${[loss.error, causeText(loss.cause)].filter(Boolean).join(': ') || 'no error recorded'}`);
  }
  out.push('', `Commands (${trace.commands.length})`);
  if (trace.commands.length > 0) {
    out.push(
      ...table(
        ['accepted', 'type', 'status', 'latency', 'command'],
        trace.commands.map((c) => [c.acceptedAt, c.type, c.status + (c.reason ? ` (${c.reason})` : ''), formatDuration(c.latencyMs), c.commandId]),
      ).map((line) => `  ${line}`),
    );
  }
  out.push('', ...LEGEND, '');
  return out.join('\n');
}

/** One line for a history event as `--follow` prints it. */
export function renderEventLine(event: HistoryEvent): string {
  const at = event.timestamp ? new Date(event.timestamp).toISOString() : '';
  const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  const failure =
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  const detail = name ?? (failure ? [failure.error, causeText(failure.cause)].filter(Boolean).join(': ') : '');
  return `${at}  ${String(event.id ?? '').padStart(4)}  ${event.type ?? ''}${detail ? `  ${detail}` : ''}`;
}
