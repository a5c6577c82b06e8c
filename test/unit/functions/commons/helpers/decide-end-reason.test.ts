import '#test/unit/functions/support/env';
import { describe, expect, it } from 'vitest';
import { decideEndReason, type EndFacts, type TeardownState } from '#helpers/decide-end-reason';

const base: TeardownState = { sessionId: '3f2b8c1e-6d4a-4f7b-9a0e-2c5d8e1f4a7b' };
const lambdaCause = (message: string) => JSON.stringify({ errorType: 'Error', errorMessage: message, trace: ['Error: at handler (/var/task/index.mjs:1:1)'] });
const endsAt = '2026-11-24T10:00:00.000Z';
const onAir = { compositionArn: 'arn:aws:ivs:us-east-1:123456789012:composition/c', timeoutSeconds: 3600, endsAt };
/** Teardown's facts: no end requested, the show's end time, and a clock before it unless told. */
const facts = (overrides: Partial<EndFacts> = {}): EndFacts => ({ endRequested: false, endsAt, now: new Date('2026-11-24T09:30:00.000Z'), ...overrides });
const afterEnd = facts({ now: new Date('2026-11-24T10:00:00.400Z') });
// AWS's record of a missed heartbeat and of TimeoutSeconds alike (TaskTimedOut, States.Timeout).
const timeout = { Error: 'States.Timeout', Cause: '' };

describe('Helper: decideEndReason', () => {
  it.each<[string, TeardownState, EndFacts, string, string]>([
    ['the host ended OnAir', { ...base, onAir, ended: { reason: 'ENDED_BY_HOST' } }, facts({ endRequested: true }), 'ENDED', 'ENDED_BY_HOST'],
    ['the host ended a wait for readiness', { ...base, error: { Error: 'Shelcaster.SessionEnded' } }, facts({ endRequested: true }), 'ENDED', 'ENDED_BY_HOST'],
    ['the host ended while the controller was lost', { ...base, recovery: { replace: false } }, facts({ endRequested: true }), 'ENDED', 'ENDED_BY_HOST'],
    ['OnAir timed out at the show end time', { ...base, onAir, loss: timeout }, afterEnd, 'ENDED', 'MAX_DURATION'],
    ['OnAir timed out at the end time after a replacement', { ...base, onAir, loss: timeout, recovery: { replace: true, restarts: 1 } }, afterEnd, 'ENDED', 'MAX_DURATION'],
    ['OnAir timed out before the end time (a missed heartbeat, as AWS names it)', { ...base, onAir, loss: timeout }, facts(), 'FAILED', 'CONTROLLER_LOST'],
    ['an OnAir timeout handed on as error before the end time', { ...base, onAir, error: timeout }, facts(), 'FAILED', 'CONTROLLER_LOST'],
    ['an OnAir timeout without a known end time', { ...base, onAir: {}, error: timeout }, facts({ endsAt: undefined }), 'FAILED', 'CONTROLLER_LOST'],
    ['the controller never got ready', { ...base, error: timeout }, afterEnd, 'FAILED', 'CONTROLLER_NOT_READY'],
    [
      'the controller stopped before going live, out of replacements',
      { ...base, loss: { Error: 'Shelcaster.ControllerStopped' }, recovery: { replace: false } },
      facts(),
      'FAILED',
      'CONTROLLER_STOPPED',
    ],
    [
      'a replacement stopped after the show went live, out of replacements',
      { ...base, onAir, loss: { Error: 'Shelcaster.ControllerStopped' }, recovery: { replace: false } },
      facts(),
      'FAILED',
      'CONTROLLER_LOST',
    ],
    ['a replacement failed to join before the show went live, out of replacements', { ...base, loss: { Error: 'Shelcaster.ControllerFailed' }, recovery: { replace: false } }, facts(), 'FAILED', 'CONTROLLER_LOST'],
    ['the controller could not join', { ...base, error: { Error: 'Shelcaster.ControllerFailed' } }, facts(), 'FAILED', 'CONTROLLER_FAILED'],
    ['the restart budget ran out', { ...base, onAir, loss: timeout, recovery: { replace: false } }, afterEnd, 'FAILED', 'CONTROLLER_LOST'],
    ['a step failed', { ...base, error: { Error: 'Lambda.Unknown', Cause: 'boom' } }, facts(), 'FAILED', 'STEP_FAILED'],
  ])('decides for %s', (_case, state, endFacts, status, reason) => {
    expect(decideEndReason(state, endFacts)).toMatchObject({ status, reason });
  });

  it("uses the state's end time when the record has none", () => {
    expect(decideEndReason({ ...base, onAir, loss: timeout }, { endRequested: false, now: afterEnd.now }).reason).toBe('MAX_DURATION');
  });

  it("keeps only a Lambda error's message as the detail, without its stack or tokens", () => {
    const decision = decideEndReason({ ...base, error: { Error: 'StepFailedError', Cause: lambdaCause(`bad ${'A'.repeat(120)}`) } }, facts());

    expect(decision.reasonDetail).toBe('StepFailedError: bad [redacted]');
  });

  it('gives no detail for a clean end', () => {
    expect(decideEndReason({ ...base, onAir, loss: { Error: 'States.Timeout', Cause: 'x' } }, afterEnd).reasonDetail).toBeUndefined();
  });

  it('gives the timeout as the detail of a lost controller', () => {
    expect(decideEndReason({ ...base, onAir, loss: { Error: 'States.Timeout', Cause: 'no heartbeat' } }, facts()).reasonDetail).toBe('States.Timeout: no heartbeat');
  });

  it('gives the stop as the detail of a controller that stopped before going live', () => {
    const decision = decideEndReason({ ...base, loss: { Error: 'Shelcaster.ControllerStopped', Cause: 'Controller task stopped: Essential container in task exited' }, recovery: { replace: false } }, facts());

    expect(decision.reasonDetail).toBe('Shelcaster.ControllerStopped: Controller task stopped: Essential container in task exited');
  });
});
