import '#test/unit/functions/support/env';
import { describe, expect, it } from 'vitest';
import { decideEndReason, type TeardownState } from '#helpers/decide-end-reason';

const base: TeardownState = { sessionId: '3f2b8c1e-6d4a-4f7b-9a0e-2c5d8e1f4a7b' };
const lambdaCause = (message: string) => JSON.stringify({ errorType: 'Error', errorMessage: message, trace: ['Error: at handler (/var/task/index.mjs:1:1)'] });

describe('Helper: decideEndReason', () => {
  it.each<[string, TeardownState, boolean, string, string]>([
    ['the host ended OnAir', { ...base, onAir: {}, ended: { reason: 'ENDED_BY_HOST' } }, true, 'ENDED', 'ENDED_BY_HOST'],
    ['the host ended a wait for readiness', { ...base, error: { Error: 'Shelcaster.SessionEnded' } }, true, 'ENDED', 'ENDED_BY_HOST'],
    ['the host ended while the controller was lost', { ...base, recovery: { replace: false } }, true, 'ENDED', 'ENDED_BY_HOST'],
    ['OnAir reached the maximum length', { ...base, onAir: {}, error: { Error: 'States.Timeout' } }, false, 'ENDED', 'MAX_DURATION'],
    ['the controller never got ready', { ...base, error: { Error: 'States.Timeout' } }, false, 'FAILED', 'CONTROLLER_NOT_READY'],
    ['the controller stopped before going live', { ...base, error: { Error: 'Shelcaster.ControllerStopped' } }, false, 'FAILED', 'CONTROLLER_STOPPED'],
    ['the controller could not join', { ...base, error: { Error: 'Shelcaster.ControllerFailed' } }, false, 'FAILED', 'CONTROLLER_FAILED'],
    ['the restart budget ran out', { ...base, loss: { Error: 'States.HeartbeatTimeout' }, recovery: { replace: false } }, false, 'FAILED', 'CONTROLLER_LOST'],
    ['a step failed', { ...base, error: { Error: 'Lambda.Unknown', Cause: 'boom' } }, false, 'FAILED', 'STEP_FAILED'],
  ])('decides for %s', (_case, state, endRequested, status, reason) => {
    expect(decideEndReason(state, endRequested)).toMatchObject({ status, reason });
  });

  it("keeps only a Lambda error's message as the detail, without its stack or tokens", () => {
    const decision = decideEndReason({ ...base, error: { Error: 'StepFailedError', Cause: lambdaCause(`bad ${'A'.repeat(120)}`) } }, false);

    expect(decision.reasonDetail).toBe('StepFailedError: bad [redacted]');
  });

  it('gives no detail for a clean end', () => {
    expect(decideEndReason({ ...base, onAir: {}, error: { Error: 'States.Timeout', Cause: 'x' } }, false).reasonDetail).toBeUndefined();
  });
});
