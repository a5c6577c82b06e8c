import { describe, expect, it } from 'vitest';
import {
  WARM_CONTROLLER_FRESH_SECONDS,
  WARM_CONTROLLER_LIFETIME_SECONDS,
  WARM_CONTROLLER_START_LIMIT_SECONDS,
  WARM_CONTROLLER_UNRECORDED_SECONDS,
  type WarmControllerRecord,
} from '#contract/index';
import { claimCandidates, claimedFor, claimedForSession, isClaimable, parsePoolSize, planRefill, stoppedClaimsToRead } from '#commons/warm-pool/pool-plan';

const NOW = new Date('2026-12-03T04:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const idle = (taskArn: string, startedSecondsAgo: number, seenSecondsAgo = 1): WarmControllerRecord => ({
  taskArn,
  state: 'IDLE',
  startedAt: ago(startedSecondsAgo),
  seenAt: ago(seenSecondsAgo),
});
const starting = (taskArn: string, startedSecondsAgo: number): WarmControllerRecord => ({ taskArn, state: 'STARTING', startedAt: ago(startedSecondsAgo) });
const claimed = (taskArn: string, sessionId: string, generation: number): WarmControllerRecord => ({
  ...idle(taskArn, 100),
  state: 'CLAIMED',
  assignment: { sessionId, stageArn: 'arn:aws:ivs:us-east-1:123456789012:stage/s', queueUrl: 'http://q', generation },
});

describe('Function: isClaimable', () => {
  it('takes an idle controller seen recently with time left', () => {
    expect(isClaimable(idle('a', 120), NOW)).toBe(true);
  });

  it('never takes a controller that went silent (it may be dead), a starting, claimed or retired one', () => {
    expect(isClaimable(idle('a', 120, WARM_CONTROLLER_FRESH_SECONDS + 1), NOW)).toBe(false);
    expect(isClaimable(starting('a', 10), NOW)).toBe(false);
    expect(isClaimable(claimed('a', 's', 0), NOW)).toBe(false);
    expect(isClaimable({ ...idle('a', 120), state: 'RETIRED' }, NOW)).toBe(false);
    expect(isClaimable({ taskArn: 'a', state: 'IDLE', startedAt: ago(10) }, NOW)).toBe(false);
  });

  it('never takes a controller about to reach its lifetime (the refill would retire it under its session)', () => {
    expect(isClaimable(idle('a', WARM_CONTROLLER_LIFETIME_SECONDS - 30), NOW)).toBe(false);
  });
});

describe('Function: claimCandidates', () => {
  it('lists the claimable controllers, the oldest first', () => {
    const records = [idle('young', 60), starting('s', 5), idle('old', 600), idle('silent', 300, 60)];
    expect(claimCandidates(records, NOW).map((r) => r.taskArn)).toEqual(['old', 'young']);
  });
});

describe('Function: claimedFor and claimedForSession', () => {
  const records = [claimed('a', 'session-1', 0), claimed('b', 'session-1', 1), claimed('c', 'session-2', 0), idle('d', 10)];

  it('finds the controller claimed for one start of a session (a retried start answers it again)', () => {
    expect(claimedFor(records, 'session-1', 1).map((r) => r.taskArn)).toEqual(['b']);
    expect(claimedFor(records, 'session-1', 2)).toEqual([]);
  });

  it('finds every controller a session claimed', () => {
    expect(claimedForSession(records, 'session-1').map((r) => r.taskArn)).toEqual(['a', 'b']);
  });
});

describe('Function: planRefill', () => {
  it('starts what is missing to the size, counting starting and idle controllers', () => {
    const records = [idle('a', 60), starting('b', 5)];
    expect(planRefill({ records, running: new Set(['a', 'b']), size: 3, now: NOW })).toEqual({ forget: [], retire: [], start: 1, adopt: [] });
  });

  it('does not count claimed controllers: a claim is replaced', () => {
    const records = [claimed('a', 's', 0)];
    expect(planRefill({ records, running: new Set(['a']), size: 1, now: NOW })).toEqual({ forget: [], retire: [], start: 1, adopt: [] });
  });

  it('forgets the record of a controller ECS no longer runs, and replaces it', () => {
    const records = [idle('dead', 60), claimed('gone', 's', 0)];
    expect(planRefill({ records, running: new Set(), size: 1, now: NOW })).toEqual({ forget: ['dead', 'gone'], retire: [], start: 1, adopt: [] });
  });

  it("keeps the record of a stopped claimed controller while its session still names it (its STOPPED event finds the session by it)", () => {
    const records = [claimed('named', 's1', 0), claimed('moved-on', 's2', 0), idle('dead', 60)];
    const running = new Set<string>();
    expect(stoppedClaimsToRead(records, running).map((r) => r.taskArn)).toEqual(['named', 'moved-on']);
    expect(planRefill({ records, running, stillNamed: new Set(['named']), size: 1, now: NOW })).toEqual({ forget: ['moved-on', 'dead'], retire: [], start: 1, adopt: [] });
  });

  it('reads no session for a claimed controller that runs', () => {
    expect(stoppedClaimsToRead([claimed('a', 's', 0)], new Set(['a']))).toEqual([]);
  });

  it('keeps a controller started moments ago that ECS does not list yet', () => {
    const records = [starting('new', WARM_CONTROLLER_UNRECORDED_SECONDS - 5)];
    expect(planRefill({ records, running: new Set(), size: 1, now: NOW })).toEqual({ forget: [], retire: [], start: 0, adopt: [] });
  });

  it('retires a controller past its lifetime and one stuck starting, and replaces both', () => {
    const records = [idle('old', WARM_CONTROLLER_LIFETIME_SECONDS + 1), starting('stuck', WARM_CONTROLLER_START_LIMIT_SECONDS + 1)];
    expect(planRefill({ records, running: new Set(['old', 'stuck']), size: 2, now: NOW })).toEqual({ forget: [], retire: ['old', 'stuck'], start: 2, adopt: [] });
  });

  it('retires the oldest beyond the size (two refills raced, or the size went down); 0 retires them all', () => {
    const records = [idle('a', 300), idle('b', 200), idle('c', 100)];
    const running = new Set(['a', 'b', 'c']);
    expect(planRefill({ records, running, size: 2, now: NOW })).toEqual({ forget: [], retire: ['a'], start: 0, adopt: [] });
    expect(planRefill({ records, running, size: 0, now: NOW })).toEqual({ forget: [], retire: ['c', 'b', 'a'], start: 0, adopt: [] });
  });

  it('adopts a running pool task without a record (a failed refill started it, then was retried) and counts it', () => {
    // The refill before ran 'unrecorded' and failed before writing its record; Lambda retries it.
    expect(planRefill({ records: [], running: new Set(['unrecorded']), size: 1, now: NOW })).toEqual({ forget: [], retire: [], start: 0, adopt: ['unrecorded'] });
    expect(planRefill({ records: [idle('a', 60)], running: new Set(['a', 'unrecorded']), size: 2, now: NOW })).toEqual({ forget: [], retire: [], start: 0, adopt: ['unrecorded'] });
    // Beyond the size, it is retired before the recorded ones (its state is unknown; theirs is not).
    expect(planRefill({ records: [idle('a', 60)], running: new Set(['a', 'unrecorded']), size: 1, now: NOW })).toEqual({ forget: [], retire: ['unrecorded'], start: 0, adopt: ['unrecorded'] });
  });
});

describe('Function: parsePoolSize', () => {
  it('reads a whole number from 0 to the maximum', () => {
    expect(parsePoolSize('0', 20)).toBe(0);
    expect(parsePoolSize('2', 20)).toBe(2);
  });

  it('refuses anything else, naming the setting', () => {
    for (const bad of [undefined, '', '-1', '1.5', 'two', '21']) expect(() => parsePoolSize(bad, 20)).toThrow(/warm pool's size/);
  });
});
