import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskHeartbeatCommand, SFNClient, TaskTimedOut, TaskDoesNotExist, InvalidToken } from '@aws-sdk/client-sfn';
import { HeartbeatScheduler } from '#controller/callbacks/heartbeat-scheduler';
import { silentLogger } from '../test-logger.ts';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });
const beatsFor = (token: string) =>
  sfnMock.commandCalls(SendTaskHeartbeatCommand).filter((c) => c.args[0].input.taskToken === token).length;

describe('HeartbeatScheduler', () => {
  beforeEach(() => {
    sfnMock.reset();
    sfnMock.on(SendTaskHeartbeatCommand).resolves({});
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('heartbeats at once and then every interval', async () => {
    const scheduler = new HeartbeatScheduler({ sfn, logger: silentLogger(), intervalSeconds: 5 });
    await scheduler.add('token-a');
    expect(beatsFor('token-a')).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(beatsFor('token-a')).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(beatsFor('token-a')).toBe(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(beatsFor('token-a')).toBe(6);
    scheduler.stopAll();
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'closed', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'bad', $metadata: {} })],
  ])('drops a token Step Functions answers %s for', async (_name, error) => {
    const scheduler = new HeartbeatScheduler({ sfn, logger: silentLogger(), intervalSeconds: 5 });
    await scheduler.add('live');
    sfnMock.on(SendTaskHeartbeatCommand, { taskToken: 'stale' }).rejects(error);
    await scheduler.add('stale');
    expect(scheduler.size).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(beatsFor('stale')).toBe(1);
    expect(beatsFor('live')).toBe(3);
    scheduler.stopAll();
  });

  it('keeps a token through a transient failure', async () => {
    const scheduler = new HeartbeatScheduler({ sfn, logger: silentLogger(), intervalSeconds: 5 });
    sfnMock.on(SendTaskHeartbeatCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    await scheduler.add('token-a');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(scheduler.size).toBe(1);
    expect(beatsFor('token-a')).toBe(2);
    scheduler.stopAll();
  });

  it('stops every heartbeat on stopAll', async () => {
    const scheduler = new HeartbeatScheduler({ sfn, logger: silentLogger(), intervalSeconds: 5 });
    await scheduler.add('token-a');
    scheduler.stopAll();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(beatsFor('token-a')).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
