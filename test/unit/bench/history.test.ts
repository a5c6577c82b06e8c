import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { executionStartedAt, firstPassDurations, stateSpans } from '#bench/history';

const t = (ms: number) => new Date(1_700_000_000_000 + ms);
const entered = (name: string, ms: number): HistoryEvent => ({ type: 'TaskStateEntered', timestamp: t(ms), id: 0, stateEnteredEventDetails: { name } });
const exited = (name: string, ms: number): HistoryEvent => ({ type: 'TaskStateExited', timestamp: t(ms), id: 0, stateExitedEventDetails: { name } });

describe('Execution history spans', () => {
  const events: HistoryEvent[] = [
    { type: 'ExecutionStarted', timestamp: t(0), id: 1 },
    entered('CreateStage', 5),
    exited('CreateStage', 105),
    entered('StartController', 105),
    exited('StartController', 155),
    entered('WaitForReady', 155),
    exited('WaitForReady', 1655),
    entered('GoLive', 1655),
    exited('GoLive', 1700),
    entered('OnAir', 1700),
    exited('OnAir', 9000),
    entered('GoLive', 9100),
    exited('GoLive', 9150),
    entered('OnAir', 9150),
  ];

  it('pairs each state entered with its exit, in order, leaving a running state out', () => {
    const spans = stateSpans(events);
    expect(spans.map((s) => s.name)).toEqual(['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir', 'GoLive']);
    expect(spans[2]!.exitedAt - spans[2]!.enteredAt).toBe(1500);
  });

  it('gives the first pass through each named state', () => {
    expect(firstPassDurations(events, ['CreateStage', 'WaitForReady', 'GoLive', 'Teardown'])).toEqual({ CreateStage: 100, WaitForReady: 1500, GoLive: 45 });
  });

  it('finds when the execution started', () => {
    expect(executionStartedAt(events)).toBe(t(0).getTime());
    expect(executionStartedAt([])).toBeUndefined();
  });
});
