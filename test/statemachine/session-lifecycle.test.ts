/**
 * The session lifecycle state machine (statemachines/session-lifecycle.asl.json, substituted as CDK does)
 * run by the local Step Functions engine in named scenarios, checked by the path of state names.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEARTBEAT_TIMEOUT_SECONDS, MAX_CONTROLLER_RESTARTS, READY_TIMEOUT_SECONDS, STEP_ERRORS } from '#contract/index';
import { FakeFunctionError, SessionHarness } from './session-harness.ts';

const TO_ON_AIR = ['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir'];
const ENDED = ['Teardown', 'EndedOrFailed', 'SessionEnded'];
const FAILED = ['Teardown', 'EndedOrFailed', 'SessionFailed'];
const REPLACEMENT = ['ControllerLost', 'ReplaceOrEnd', 'ReplaceController', 'WaitForReplacementReady'];
/** OnAir timed out before the show's end time: a missed heartbeat, which AWS records as States.Timeout. */
const HEARTBEAT_LOST = ['OnAirTimedOut', ...REPLACEMENT];

let session: SessionHarness;

beforeEach(() => {
  session = new SessionHarness();
});
afterEach(() => {
  session.dispose();
});

/** Starts a session and answers READY, so it stands in OnAir. */
async function goOnAir(): Promise<string> {
  await session.start();
  await session.succeed(session.latestToken('READY'));
  expect(session.currentState()).toBe('OnAir');
  return session.latestToken('ON_AIR');
}

describe('Scenario: HappyPathWithExplicitEnd', () => {
  it('goes on air, stays there while the controller heartbeats, and ends cleanly when the host ends it', async () => {
    await session.start();
    expect(session.path()).toEqual(['CreateStage', 'StartController', 'WaitForReady']);
    const ready = session.callbacks[0]!;
    expect(ready.message).toMatchObject({ kind: 'CALLBACK', callback: 'READY', sessionId: session.sessionId });
    expect(ready.queueUrl).toContain(`shelcaster-program-commands-${session.sessionId}.fifo`);
    expect(ready.messageGroupId).toBe('callbacks');

    await session.succeed(ready.message.taskToken);
    const onAirToken = session.latestToken('ON_AIR');
    await session.heartbeatFor(onAirToken, 10 * HEARTBEAT_TIMEOUT_SECONDS);
    expect(session.currentState()).toBe('OnAir');

    await session.succeed(onAirToken, { reason: 'ENDED_BY_HOST' });
    expect(session.path()).toEqual([...TO_ON_AIR, ...ENDED]);
    expect(session.status()).toBe('SUCCEEDED');
    expect(session.payloadsOf('teardown')[0]).toMatchObject({ ended: { reason: 'ENDED_BY_HOST' }, resources: { stageArn: expect.any(String) } });
  });

  it('records the callback as TaskScheduled, TaskStarted, TaskSubmitted and TaskSucceeded with AWS resource names', async () => {
    await session.start();
    await session.succeed(session.latestToken('READY'), { ready: true });
    const entered = session.history().findIndex((e) => e.stateEnteredEventDetails?.name === 'WaitForReady');
    const events = session.history().slice(entered, entered + 6);
    expect(events.map((e) => e.type)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited']);
    expect(events[1]!.taskScheduledEventDetails).toMatchObject({
      resourceType: 'sqs',
      resource: 'sendMessage.waitForTaskToken',
      timeoutInSeconds: READY_TIMEOUT_SECONDS,
    });
    expect(JSON.parse(events[5]!.stateExitedEventDetails!.output)).toMatchObject({ ready: { ready: true } });
  });
});

describe('Scenario: ControllerNeverReady', () => {
  it('times WaitForReady out with States.Timeout and tears the session down as failed', async () => {
    await session.start();
    await session.advance(READY_TIMEOUT_SECONDS - 1);
    expect(session.currentState()).toBe('WaitForReady');
    await session.advance(1);
    expect(session.path()).toEqual(['CreateStage', 'StartController', 'WaitForReady', ...FAILED]);
    expect(session.history().find((e) => e.type === 'TaskTimedOut')!.taskTimedOutEventDetails!.error).toBe('States.Timeout');
    expect(session.payloadsOf('teardown')[0]).toMatchObject({ error: { Error: 'States.Timeout' } });
    const execution = session.engine.describeExecution(session.executionArn);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Shelcaster.SessionFailed' });
  });
});

describe('Scenario: HeartbeatLostAndReplaced', () => {
  it('replaces a controller that stops heartbeating and goes back on air', async () => {
    const firstOnAir = await goOnAir();
    await session.heartbeatFor(firstOnAir, 20);
    await session.advance(HEARTBEAT_TIMEOUT_SECONDS);
    expect(session.currentState()).toBe('WaitForReplacementReady');
    // As AWS records it: TaskTimedOut with States.Timeout, told from the maximum length by the clock.
    const timedOut = session.history().find((e) => e.type === 'TaskTimedOut')!;
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    expect(session.payloadsOf('controllerLost')[0]).toMatchObject({ loss: { Error: 'States.Timeout' } });

    const replacementReady = session.latestToken('READY');
    expect(replacementReady).not.toBe(session.callbacks[0]!.message.taskToken);
    await session.succeed(replacementReady);
    const secondOnAir = session.latestToken('ON_AIR');
    expect(secondOnAir).not.toBe(firstOnAir);
    expect(() => session.engine.sendTaskHeartbeat(firstOnAir)).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));

    await session.succeed(secondOnAir, { reason: 'ENDED_BY_HOST' });
    expect(session.path()).toEqual([...TO_ON_AIR, ...HEARTBEAT_LOST, 'GoLive', 'OnAir', ...ENDED]);
    expect(session.payloadsOf('startController')).toHaveLength(2);
  });
});

describe('Scenario: HeartbeatLostBeyondRestartBudget', () => {
  it('tears the session down as failed once the restart budget is spent', async () => {
    await goOnAir();
    for (let loss = 1; loss <= MAX_CONTROLLER_RESTARTS; loss++) {
      await session.advance(HEARTBEAT_TIMEOUT_SECONDS);
      expect(session.currentState()).toBe('WaitForReplacementReady');
      await session.succeed(session.latestToken('READY'));
      expect(session.currentState()).toBe('OnAir');
    }
    await session.advance(HEARTBEAT_TIMEOUT_SECONDS);

    const path = session.path();
    const replacement = [...HEARTBEAT_LOST, 'GoLive', 'OnAir'];
    expect(path).toEqual([...TO_ON_AIR, ...Array.from({ length: MAX_CONTROLLER_RESTARTS }, () => replacement).flat(), 'OnAirTimedOut', 'ControllerLost', 'ReplaceOrEnd', ...FAILED]);
    expect(session.payloadsOf('teardown')[0]).toMatchObject({ recovery: { replace: false, restarts: MAX_CONTROLLER_RESTARTS + 1 } });
    expect(session.status()).toBe('FAILED');
  });
});

describe('Scenario: TaskStopped', () => {
  it('treats Shelcaster.ControllerStopped during OnAir as a lost controller at once', async () => {
    const onAir = await goOnAir();
    await session.fail(onAir, STEP_ERRORS.ControllerStopped, '{"taskArn":"task1","stoppedReason":"Essential container exited"}');
    expect(session.path()).toEqual([...TO_ON_AIR, ...REPLACEMENT]);
    expect(session.payloadsOf('controllerLost')[0]).toMatchObject({ loss: { Error: STEP_ERRORS.ControllerStopped } });
  });

  it('ends the session when the host ends it while a replacement is awaited', async () => {
    const onAir = await goOnAir();
    await session.fail(onAir, STEP_ERRORS.ControllerStopped);
    await session.fail(session.latestToken('READY'), STEP_ERRORS.SessionEnded, 'The host ended the show.');
    expect(session.path()).toEqual([...TO_ON_AIR, ...REPLACEMENT, ...ENDED]);
    expect(session.status()).toBe('SUCCEEDED');
  });
});

describe('Scenario: MaximumDuration', () => {
  it('ends OnAir with States.Timeout at the maximum show length and ends the session cleanly', async () => {
    const maxShowSeconds = 600;
    await session.start({ maxShowSeconds });
    await session.succeed(session.latestToken('READY'));
    const onAir = session.latestToken('ON_AIR');
    const scheduled = session.history().filter((e) => e.type === 'TaskScheduled').at(-1)!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ timeoutInSeconds: maxShowSeconds, heartbeatInSeconds: HEARTBEAT_TIMEOUT_SECONDS });

    await session.heartbeatFor(onAir, maxShowSeconds - 5);
    expect(session.currentState()).toBe('OnAir');
    await session.heartbeatFor(onAir, 5);
    expect(session.path()).toEqual([...TO_ON_AIR, 'OnAirTimedOut', ...ENDED]);
    expect(session.payloadsOf('teardown')[0]).toMatchObject({ loss: { Error: 'States.Timeout' } });
    expect(session.history().at(-1)!.type).toBe('ExecutionSucceeded');
    expect(session.status()).toBe('SUCCEEDED');
  });

  it('takes a heartbeat missed shortly before the maximum length for a lost controller, not a clean end', async () => {
    const maxShowSeconds = 600;
    await session.start({ maxShowSeconds });
    await session.succeed(session.latestToken('READY'));
    const onAir = session.latestToken('ON_AIR');
    // The controller hangs 20 s before the end: its heartbeat times out ~(30 - 20) s before the show's end time.
    await session.heartbeatFor(onAir, maxShowSeconds - HEARTBEAT_TIMEOUT_SECONDS - 10);
    await session.advance(HEARTBEAT_TIMEOUT_SECONDS);

    expect(session.path()).toEqual([...TO_ON_AIR, ...HEARTBEAT_LOST]);
    expect(session.payloadsOf('controllerLost')[0]).toMatchObject({ loss: { Error: 'States.Timeout' } });
  });

  it('still ends cleanly at the first end time after a controller was replaced', async () => {
    const maxShowSeconds = 600;
    await session.start({ maxShowSeconds });
    await session.succeed(session.latestToken('READY'));
    await session.fail(session.latestToken('ON_AIR'), STEP_ERRORS.ControllerStopped);
    await session.advance(40);
    await session.succeed(session.latestToken('READY'));
    const onAir = session.latestToken('ON_AIR');
    await session.heartbeatFor(onAir, maxShowSeconds);

    expect(session.path()).toEqual([...TO_ON_AIR, ...REPLACEMENT, 'GoLive', 'OnAir', 'OnAirTimedOut', ...ENDED]);
    expect(session.status()).toBe('SUCCEEDED');
  });
});

describe('Scenario: StepFailsOnceAndIsRetried', () => {
  it('retries CreateStage after Shelcaster.Transient and carries on', async () => {
    session.failures.set('createStage', [new FakeFunctionError(STEP_ERRORS.Transient, 'IVS throttled')]);
    await session.start();
    expect(session.currentState()).toBe('CreateStage');
    await session.advance(1);
    expect(session.path()).toEqual(['CreateStage', 'StartController', 'WaitForReady']);
    expect(session.payloadsOf('createStage')).toHaveLength(2);
    const createStage = session.history().filter((e) => e.id < session.history().find((x) => x.type === 'TaskStateExited')!.id);
    expect(createStage.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded',
    ]);
    expect(createStage[4]!.taskFailedEventDetails).toMatchObject({ error: STEP_ERRORS.Transient, cause: expect.stringContaining('IVS throttled') });
  });

  it('gives up after three retries with backoff and tears down', async () => {
    session.failures.set('createStage', Array.from({ length: 4 }, () => new FakeFunctionError(STEP_ERRORS.Transient, 'down')));
    await session.start();
    await session.advance(1 + 2 + 4 - 0.001);
    expect(session.payloadsOf('createStage')).toHaveLength(3);
    await session.advance(0.001);
    expect(session.payloadsOf('createStage')).toHaveLength(4);
    expect(session.path()).toEqual(['CreateStage', ...FAILED]);
    expect(session.payloadsOf('teardown')[0]).toMatchObject({ error: { Error: STEP_ERRORS.Transient } });
  });
});

describe('Scenario: TeardownFailsPartWayAndFinishes', () => {
  it('retries Teardown with the same input and still ends the session', async () => {
    session.failures.set('teardown', [new FakeFunctionError('Error', 'DeleteStage failed after the composition stopped')]);
    const onAir = await goOnAir();
    await session.succeed(onAir, { reason: 'ENDED_BY_HOST' });
    expect(session.currentState()).toBe('Teardown');
    await session.advance(2);
    expect(session.path()).toEqual([...TO_ON_AIR, ...ENDED]);
    const [first, second] = session.payloadsOf('teardown');
    expect(second).toEqual(first);
  });
});

describe('Task tokens', () => {
  it('appear only in TaskScheduled parameters, never in any state or execution input or output', async () => {
    const onAir = await goOnAir();
    await session.fail(onAir, STEP_ERRORS.ControllerStopped);
    await session.succeed(session.latestToken('READY'));
    await session.succeed(session.latestToken('ON_AIR'), { reason: 'ENDED_BY_HOST' });
    const tokens = session.callbacks.map((c) => c.message.taskToken);
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(4);

    const scheduled = session.history().filter((e) => e.type === 'TaskScheduled').map((e) => e.taskScheduledEventDetails!.parameters);
    for (const token of tokens) expect(scheduled.some((p) => p.includes(token))).toBe(true);
    for (const event of session.history()) {
      const { taskScheduledEventDetails: _parameters, ...rest } = event;
      const text = JSON.stringify(rest);
      for (const token of tokens) expect(text).not.toContain(token);
    }
    const execution = session.engine.describeExecution(session.executionArn);
    for (const token of tokens) expect(execution.output).not.toContain(token);
  });
});
