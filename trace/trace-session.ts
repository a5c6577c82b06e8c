/**
 * Reads everything a session's trace needs and builds it; follows a running execution's history.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { buildTrace, type SessionTrace } from './trace-model.ts';
import { renderEventLine } from './render-text.ts';
import {
  controllerLogLines,
  describeExecution,
  executionArnOf,
  executionHistory,
  findStateMachineArn,
  sessionRecords,
  type TraceClients,
} from './trace-sources.ts';

/** How often `--follow` reads the history again. */
export const FOLLOW_INTERVAL_MS = 2000;

/** Controller log lines are read from this long before the execution started. */
const LOG_LOOKBACK_MS = 60_000;

/** The execution ARN of a session: the state machine given, or the one found by name, and the session id. */
export async function sessionExecutionArn(clients: TraceClients, sessionId: string, stateMachineArn?: string): Promise<string> {
  return executionArnOf(stateMachineArn ?? (await findStateMachineArn(clients.sfn)), sessionId);
}

/** The trace of one session, read from the execution, the session table and the controller's log. */
export async function traceSession(clients: TraceClients, sessionId: string, executionArn: string): Promise<SessionTrace> {
  const execution = await describeExecution(clients.sfn, executionArn);
  const [events, records, controllerLog] = await Promise.all([
    executionHistory(clients.sfn, executionArn),
    sessionRecords(clients.dynamodb, sessionId),
    controllerLogLines(clients.logs, sessionId, (execution.startDate?.getTime() ?? 0) - LOG_LOOKBACK_MS),
  ]);
  return buildTrace({ sessionId, execution, events, session: records.session, commands: records.commands, controllerLog });
}

export interface FollowOptions {
  /** The execution's status now. */
  readStatus(): Promise<string | undefined>;
  /** The execution's whole history now. */
  readHistory(): Promise<HistoryEvent[]>;
  /** Receives each new event once, in order. */
  onEvent(event: HistoryEvent): void;
  sleep(ms: number): Promise<void>;
  intervalMs?: number;
}

/** Polls a history until the execution is no longer RUNNING, handing on each new event once; the final status. */
export async function followExecution(options: FollowOptions): Promise<string | undefined> {
  let lastId = 0;
  for (;;) {
    // Status first: once it is final, the history read after it is complete.
    const status = await options.readStatus();
    const events = (await options.readHistory()).filter((e) => (e.id ?? 0) > lastId).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    for (const event of events) {
      options.onEvent(event);
      lastId = event.id ?? lastId;
    }
    if (status !== 'RUNNING') return status;
    await options.sleep(options.intervalMs ?? FOLLOW_INTERVAL_MS);
  }
}

/** Follows an execution with the SDK, printing each event as a line of text. */
export async function followSessionExecution(
  clients: TraceClients,
  executionArn: string,
  onEvent: (event: HistoryEvent) => void = (event) => process.stdout.write(`${renderEventLine(event)}\n`),
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<string | undefined> {
  return await followExecution({
    readStatus: async () => (await describeExecution(clients.sfn, executionArn)).status,
    readHistory: () => executionHistory(clients.sfn, executionArn),
    onEvent,
    sleep,
  });
}
