/**
 * Recorded fixtures: real GetExecutionHistory (without execution data), DescribeExecution, the session's
 * DynamoDB items and the controller's log lines of two local sessions — one ended by the host, one whose
 * controller was killed (SIGKILL) while on air and replaced before the host ended it.
 */
import { readFileSync } from 'node:fs';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { CommandRecord, SessionRecord } from '#contract/index';
import type { ControllerLogLine, TraceInput } from '#trace/trace-model';

interface RecordedFixture {
  sessionId: string;
  execution: { executionArn: string; status: string; startDate: string; stopDate?: string; error?: string; cause?: string };
  events: (Omit<HistoryEvent, 'timestamp'> & { timestamp: string })[];
  items: Record<string, unknown>[];
  controllerLog: ControllerLogLine[];
}

export type FixtureName = 'ended-by-host' | 'controller-restarted';

/** A recorded fixture as the trace model takes it (dates revived). */
export function loadFixture(name: FixtureName): TraceInput & { events: HistoryEvent[] } {
  const raw = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as RecordedFixture;
  const { startDate, stopDate, ...execution } = raw.execution;
  return {
    sessionId: raw.sessionId,
    execution: {
      ...execution,
      status: execution.status as NonNullable<TraceInput['execution']['status']>,
      startDate: new Date(startDate),
      ...(stopDate ? { stopDate: new Date(stopDate) } : {}),
    },
    events: raw.events.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
    session: raw.items.find((item) => item.sk === 'SESSION') as SessionRecord | undefined,
    commands: raw.items.filter((item) => String(item.sk).startsWith('COMMAND#')) as unknown as CommandRecord[],
    controllerLog: raw.controllerLog,
  };
}
