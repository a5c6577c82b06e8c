import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { CONTROLLER_HEARTBEAT_LOG } from '#contract/index';
import { buildTrace, commandTrace, countHeartbeats, stateVisits } from '#trace/trace-model';
import { loadFixture } from './fixtures.ts';

/** A history built by hand, for paths a local session does not take on demand (retries, failures). */
function history(...steps: [type: string, details?: Partial<HistoryEvent>][]): HistoryEvent[] {
  const start = Date.parse('2026-11-24T10:00:00.000Z');
  return steps.map(([type, details], i) => ({
    id: i + 1,
    previousEventId: i,
    timestamp: new Date(start + i * 1000),
    type: type as HistoryEvent['type'],
    ...details,
  }));
}
const entered = (name: string, kind = 'Task'): [string, Partial<HistoryEvent>] => [`${kind}StateEntered`, { stateEnteredEventDetails: { name } }];
const exited = (name: string, kind = 'Task'): [string, Partial<HistoryEvent>] => [`${kind}StateExited`, { stateExitedEventDetails: { name } }];
const failed = (error: string, cause: string): [string, Partial<HistoryEvent>] => [
  'TaskFailed',
  { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause } },
];

describe('Function: stateVisits', () => {
  it('lists the states of a session ended by the host in the order they ran, each succeeded', () => {
    const visits = stateVisits(loadFixture('ended-by-host').events);
    expect(visits.map((v) => v.name)).toEqual([
      'CreateStage',
      'StartController',
      'WaitForReady',
      'GoLive',
      'OnAir',
      'Teardown',
      'EndedOrFailed',
      'SessionEnded',
    ]);
    expect(visits.every((v) => v.outcome === 'succeeded')).toBe(true);
    expect(visits.find((v) => v.name === 'Choice')).toBeUndefined();
    expect(visits[6]).toMatchObject({ kind: 'Choice', attempts: 0 });
  });

  it('gives each visit its start time and its duration to the exit', () => {
    const [createStage] = stateVisits(loadFixture('ended-by-host').events);
    expect(createStage!.enteredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(createStage!.durationMs).toBe(Date.parse(createStage!.exitedAt!) - Date.parse(createStage!.enteredAt));
    expect(createStage!.durationMs).toBeGreaterThanOrEqual(0);
    expect(createStage!.attempts).toBe(1);
  });

  it('marks OnAir caught with the error of the killed controller, then shows the replacement', () => {
    const visits = stateVisits(loadFixture('controller-restarted').events);
    expect(visits.map((v) => v.name)).toEqual([
      'CreateStage',
      'StartController',
      'WaitForReady',
      'GoLive',
      'OnAir',
      'ControllerLost',
      'ReplaceOrEnd',
      'ReplaceController',
      'WaitForReplacementReady',
      'Teardown',
      'EndedOrFailed',
      'SessionEnded',
    ]);
    const onAir = visits[4]!;
    expect(onAir.outcome).toBe('caught');
    expect(onAir.error).toBe('Shelcaster.ControllerStopped');
    expect(onAir.retries).toBe(0);
  });

  it('counts a failure followed by a new TaskScheduled in the same state as a retry', () => {
    const visits = stateVisits(
      history(
        ['ExecutionStarted'],
        entered('CreateStage'),
        ['TaskScheduled'],
        failed('Shelcaster.Transient', 'throttled'),
        ['TaskScheduled'],
        failed('Shelcaster.Transient', 'throttled again'),
        ['TaskScheduled'],
        ['TaskSucceeded'],
        exited('CreateStage'),
      ),
    );
    expect(visits[0]).toMatchObject({ name: 'CreateStage', attempts: 3, retries: 2, outcome: 'succeeded' });
    expect(visits[0]!.failures.map((f) => f.cause)).toEqual(['throttled', 'throttled again']);
    expect(visits[0]!.error).toBeUndefined();
  });

  it('does not count a failure that a Catch took to the next state as a retry', () => {
    const visits = stateVisits(
      history(entered('GoLive'), ['TaskScheduled'], failed('Lambda.Unknown', 'boom'), exited('GoLive'), entered('Teardown')),
    );
    expect(visits[0]).toMatchObject({ attempts: 1, retries: 0, outcome: 'caught', error: 'Lambda.Unknown', cause: 'boom' });
    expect(visits[1]).toMatchObject({ name: 'Teardown', outcome: 'running' });
    expect(visits[1]!.durationMs).toBeUndefined();
  });

  it('marks a Fail state and a state the execution failed in as failed, with the error', () => {
    const failState = stateVisits(
      history(entered('SessionFailed', 'Fail'), ['ExecutionFailed', { executionFailedEventDetails: { error: 'Shelcaster.SessionFailed', cause: 'see record' } }]),
    );
    expect(failState[0]).toMatchObject({ kind: 'Fail', outcome: 'failed', error: 'Shelcaster.SessionFailed', cause: 'see record' });
    const timedOut = stateVisits(
      history(entered('OnAir'), ['TaskScheduled'], ['ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'late' } }]),
    );
    expect(timedOut[0]).toMatchObject({ outcome: 'failed', error: 'States.Timeout' });
    const aborted = stateVisits(history(entered('OnAir'), ['TaskScheduled'], ['ExecutionAborted', { executionAbortedEventDetails: {} }]));
    expect(aborted[0]!.outcome).toBe('aborted');
  });

  it('reads events in id order whatever order the page gave them', () => {
    const events = loadFixture('ended-by-host').events;
    expect(stateVisits([...events].reverse())).toEqual(stateVisits(events));
  });
});

describe('Function: countHeartbeats', () => {
  it('counts the controller lines whose message is the heartbeat message, and the failed ones apart', () => {
    const line = (message: string) => ({ timestamp: 0, message: JSON.stringify({ level: 'INFO', message, sessionId: 's' }) });
    const lines = [
      line(CONTROLLER_HEARTBEAT_LOG.sent),
      line(CONTROLLER_HEARTBEAT_LOG.sent),
      line(CONTROLLER_HEARTBEAT_LOG.failed),
      line('On air: heartbeating the OnAir token'),
      { timestamp: 0, message: `not json ${CONTROLLER_HEARTBEAT_LOG.sent}` },
    ];
    expect(countHeartbeats(lines)).toEqual({ sent: 2, failed: 1 });
  });

  it('counts nothing in the recorded controller log, which logs no heartbeat lines yet', () => {
    expect(countHeartbeats(loadFixture('ended-by-host').controllerLog ?? [])).toEqual({ sent: 0, failed: 0 });
  });
});

describe('Function: commandTrace', () => {
  it('measures a command from acceptedAt to appliedAt', () => {
    const trace = commandTrace({
      sessionId: 's',
      commandId: 'c',
      command: { type: 'PAUSE_MEDIA' },
      status: 'APPLIED',
      acceptedAt: '2026-11-24T10:00:00.000Z',
      appliedAt: '2026-11-24T10:00:00.250Z',
    });
    expect(trace).toEqual({ commandId: 'c', type: 'PAUSE_MEDIA', status: 'APPLIED', acceptedAt: '2026-11-24T10:00:00.000Z', appliedAt: '2026-11-24T10:00:00.250Z', latencyMs: 250 });
  });

  it('has no latency for a command still queued', () => {
    const trace = commandTrace({ sessionId: 's', commandId: 'c', command: { type: 'STOP_MEDIA' }, status: 'QUEUED', acceptedAt: '2026-11-24T10:00:00.000Z' });
    expect(trace.latencyMs).toBeUndefined();
  });
});

describe('Function: buildTrace', () => {
  it('summarises a session ended by the host: succeeded, no restart, its command with latency', () => {
    const trace = buildTrace(loadFixture('ended-by-host'));
    expect(trace.status).toBe('SUCCEEDED');
    expect(trace.failure).toBeUndefined();
    expect(trace.durationMs).toBeGreaterThan(0);
    expect(trace.controller).toEqual({ restarts: 0, losses: [] });
    expect(trace.retries).toBe(0);
    expect(trace.session).toMatchObject({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    expect(trace.commands).toHaveLength(1);
    expect(trace.commands[0]).toMatchObject({ type: 'PLAY_MEDIA', status: 'APPLIED' });
    expect(trace.commands[0]!.latencyMs).toBeGreaterThan(0);
    expect(trace.heartbeats).toEqual({ sent: 0, failed: 0 });
  });

  it('shows the controller restart: one loss with the error that ended OnAir', () => {
    const trace = buildTrace(loadFixture('controller-restarted'));
    expect(trace.controller.restarts).toBe(1);
    expect(trace.controller.losses).toHaveLength(1);
    expect(trace.controller.losses[0]!.error).toBe('Shelcaster.ControllerStopped');
    expect(trace.controller.losses[0]!.at).toBe(trace.states.find((s) => s.name === 'ControllerLost')!.enteredAt);
  });

  it('names the error, cause and state of a failed execution', () => {
    const trace = buildTrace({
      sessionId: 's',
      execution: {
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:s',
        status: 'FAILED',
        startDate: new Date('2026-11-24T10:00:00Z'),
        stopDate: new Date('2026-11-24T10:00:05Z'),
        error: 'Shelcaster.SessionFailed',
        cause: 'see record',
      },
      events: history(entered('Teardown'), ['TaskScheduled'], ['TaskSucceeded'], exited('Teardown'), entered('SessionFailed', 'Fail'), [
        'ExecutionFailed',
        { executionFailedEventDetails: { error: 'Shelcaster.SessionFailed', cause: 'see record' } },
      ]),
    });
    expect(trace.failure).toEqual({ error: 'Shelcaster.SessionFailed', cause: 'see record', state: 'SessionFailed' });
    expect(trace.durationMs).toBe(5000);
    expect(trace.session).toBeNull();
    expect(trace.heartbeats).toBeNull();
  });
});
