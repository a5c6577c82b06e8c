import { describe, expect, it } from 'vitest';
import { whyNotSessionsController } from '#helpers/session-controller';

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/shelcaster/aaaa';
const OTHER = 'arn:aws:ecs:eu-west-1:123456789012:task/shelcaster/bbbb';

describe('whyNotSessionsController', () => {
  it('is undefined while the active session names the task', () => {
    expect(whyNotSessionsController({ taskArn: TASK, status: 'STARTING' }, TASK)).toBeUndefined();
    expect(whyNotSessionsController({ taskArn: TASK, status: 'LIVE' }, TASK)).toBeUndefined();
  });

  it('says why otherwise: no session, another task (or none), a session no longer active', () => {
    expect(whyNotSessionsController(undefined, TASK)).toBe('no such session');
    expect(whyNotSessionsController({ taskArn: OTHER, status: 'LIVE' }, TASK)).toBe('not the current controller task');
    expect(whyNotSessionsController({ status: 'STARTING' }, TASK)).toBe('not the current controller task');
    // A stop that names no task is no session's, even one that has not recorded its task yet.
    expect(whyNotSessionsController({ status: 'STARTING' }, undefined)).toBe('not the current controller task');
    for (const status of ['ENDING', 'ENDED', 'FAILED'] as const) expect(whyNotSessionsController({ taskArn: TASK, status }, TASK)).toBe(`session is ${status}`);
  });
});
