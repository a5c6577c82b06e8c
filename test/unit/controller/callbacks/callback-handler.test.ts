import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { CallbackHandler, failReadyToken } from '#controller/callbacks/callback-handler';
import type { HeartbeatScheduler } from '#controller/callbacks/heartbeat-scheduler';
import { silentLogger } from '../test-logger.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });

function setup(endRequested = false) {
  const add = vi.fn(async (_token: string) => undefined);
  const handler = new CallbackHandler({
    sfn,
    logger: silentLogger(),
    heartbeats: { add } as unknown as HeartbeatScheduler,
    ready: { participantId: 'p-1', joinedAt: '2026-11-24T10:00:00.000Z' },
    endRequested: async () => endRequested,
  });
  return { handler, add };
}

describe('CallbackHandler', () => {
  beforeEach(() => {
    sfnMock.reset();
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
  });

  it('answers READY with the participant id and join time', async () => {
    const { handler } = setup();
    await handler.handle({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 'tok' });
    expect(sfnMock).toReceiveCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok',
      output: JSON.stringify({ participantId: 'p-1', joinedAt: '2026-11-24T10:00:00.000Z' }),
    });
  });

  it('fails READY with Shelcaster.SessionEnded when the host asked to end', async () => {
    const { handler } = setup(true);
    await handler.handle({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 'tok' });
    expect(sfnMock).toReceiveCommandWith(SendTaskFailureCommand, { taskToken: 'tok', error: 'Shelcaster.SessionEnded' });
    expect(sfnMock).not.toReceiveCommand(SendTaskSuccessCommand);
  });

  it('heartbeats the ON_AIR token', async () => {
    const { handler, add } = setup();
    await handler.handle({ kind: 'CALLBACK', callback: 'ON_AIR', sessionId: SESSION, taskToken: 'on-air' });
    expect(add).toHaveBeenCalledWith('on-air');
  });

  it('drops a stale READY token without throwing, and throws on a transient error', async () => {
    const { handler } = setup();
    sfnMock.on(SendTaskSuccessCommand).rejectsOnce(new TaskTimedOut({ message: 'closed', $metadata: {} }));
    await expect(handler.handle({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 't' })).resolves.toBeUndefined();
    sfnMock.on(SendTaskSuccessCommand).rejects(new Error('socket hang up'));
    await expect(handler.handle({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 't' })).rejects.toThrow('socket hang up');
  });

  it('fails a READY token with Shelcaster.ControllerFailed and the reason', async () => {
    await failReadyToken(sfn, 'tok', 'Chromium did not start');
    expect(sfnMock).toReceiveCommandWith(SendTaskFailureCommand, {
      taskToken: 'tok',
      error: 'Shelcaster.ControllerFailed',
      cause: 'Chromium did not start',
    });
  });
});
