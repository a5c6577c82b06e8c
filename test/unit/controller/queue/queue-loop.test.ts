import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { COMMAND_VISIBILITY_TIMEOUT_SECONDS, type CallbackMessage, type CommandMessage } from '#contract/index';
import { QueueLoop } from '#controller/queue/queue-loop';
import type { Disposition } from '#controller/queue/command-processor';
import { silentLogger } from '../test-logger.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/shelcaster-program-commands-x.fifo';
const sqsMock = mockClient(SQSClient);

let sequence = 0;
function sqsMessage(body: unknown, group: string, receiveCount = 1): Message {
  sequence++;
  return {
    MessageId: `m${sequence}`,
    ReceiptHandle: `rh${sequence}`,
    Body: typeof body === 'string' ? body : JSON.stringify(body),
    Attributes: { MessageGroupId: group, ApproximateReceiveCount: String(receiveCount), SequenceNumber: String(sequence) },
  };
}
const command = (commandId: string, volume = 0.5): CommandMessage => ({
  kind: 'COMMAND',
  sessionId: SESSION,
  commandId,
  acceptedAt: '2026-11-24T10:00:00.000Z',
  command: { type: 'SET_VOLUME', volume },
});
const callback = (kind: 'READY' | 'ON_AIR'): CallbackMessage => ({ kind: 'CALLBACK', callback: kind, sessionId: SESSION, taskToken: `secret-token-${kind}` });

function setup(process = vi.fn(async (_m: CommandMessage, _n: number): Promise<Disposition> => 'delete')) {
  const handle = vi.fn(async (_m: CallbackMessage) => undefined);
  const failInvalid = vi.fn(async () => undefined);
  const loop = new QueueLoop({
    sqs: new SQSClient({ region: 'us-east-1' }),
    queueUrl: QUEUE_URL,
    sessionId: SESSION,
    commands: { process, failInvalid },
    callbacks: { handle },
    logger: silentLogger(),
  });
  return { loop, process, handle, failInvalid };
}

const deletedHandles = () => sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);

describe('QueueLoop', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(DeleteMessageCommand).resolves({});
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
  });

  it('polls briefly (a poll outliving a killed controller would swallow messages) with the contract settings', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const { loop } = setup();
    await loop.receive();
    expect(sqsMock).toReceiveCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      WaitTimeSeconds: 1,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: COMMAND_VISIBILITY_TIMEOUT_SECONDS,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SequenceNumber'],
    });
  });

  it('applies commands in order and deletes each once it is done', async () => {
    const { loop, process } = setup();
    const batch = [sqsMessage(command('c1', 0.1), 'commands'), sqsMessage(command('c2', 0.2), 'commands', 2)];
    await loop.processBatch(batch);
    expect(process.mock.calls.map(([m, n]) => [m.commandId, n])).toEqual([
      ['c1', 1],
      ['c2', 2],
    ]);
    expect(deletedHandles()).toEqual(['rh' + (sequence - 1), 'rh' + sequence]);
  });

  it('handles the callbacks of a batch before its commands', async () => {
    const order: string[] = [];
    const { loop, handle } = setup(vi.fn(async (m: CommandMessage) => (order.push(m.commandId), 'delete' as const)));
    handle.mockImplementation(async (m: CallbackMessage) => void order.push(m.callback));
    await loop.processBatch([sqsMessage(command('c1'), 'commands'), sqsMessage(command('c2'), 'commands'), sqsMessage(callback('READY'), 'callbacks')]);
    expect(order).toEqual(['READY', 'c1', 'c2']);
  });

  it('holds back later commands behind one left for a retry: the retry after a back-off, the later ones released at once', async () => {
    const { loop, process, handle } = setup(vi.fn(async (m: CommandMessage) => (m.commandId === 'c1' ? 'retry' : 'delete') as Disposition));
    const c1 = sqsMessage(command('c1'), 'commands', 3);
    const c2 = sqsMessage(command('c2'), 'commands');
    const c3 = sqsMessage(command('c3'), 'commands');
    const ready = sqsMessage(callback('READY'), 'callbacks');
    await loop.processBatch([c1, c2, c3, ready]);
    expect(process).toHaveBeenCalledOnce();
    expect(handle).toHaveBeenCalledWith(expect.objectContaining({ callback: 'READY' }));
    expect(deletedHandles()).toEqual([ready.ReceiptHandle]);
    const visibility = sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]);
    expect(visibility).toEqual([
      [c1.ReceiptHandle, 3],
      [c2.ReceiptHandle, 0],
      [c3.ReceiptHandle, 0],
    ]);
  });

  it('releases a command FAILED for the dead-letter queue undeleted and goes on with the later ones', async () => {
    const { loop, process } = setup(vi.fn(async (m: CommandMessage) => (m.commandId === 'c1' ? 'dead-letter' : 'delete') as Disposition));
    const c1 = sqsMessage(command('c1'), 'commands', 5);
    const c2 = sqsMessage(command('c2'), 'commands');
    await loop.processBatch([c1, c2]);
    expect(process).toHaveBeenCalledTimes(2);
    expect(deletedHandles()).toEqual([c2.ReceiptHandle]);
    expect(sqsMock).toReceiveCommandWith(ChangeMessageVisibilityCommand, { ReceiptHandle: c1.ReceiptHandle, VisibilityTimeout: 0 });
  });

  it('leaves a message whose processing threw for redelivery', async () => {
    const { loop } = setup(vi.fn(async () => Promise.reject(new Error('DynamoDB unavailable'))));
    await loop.processBatch([sqsMessage(command('c1'), 'commands')]);
    expect(deletedHandles()).toEqual([]);
  });

  it('deletes an invalid command and marks its record FAILED with the schema problem', async () => {
    const { loop, process, failInvalid } = setup();
    const bad = sqsMessage({ ...command('c9'), command: { type: 'SET_VOLUME', volume: 7 } }, 'commands');
    await loop.processBatch([bad]);
    expect(process).not.toHaveBeenCalled();
    expect(failInvalid).toHaveBeenCalledWith('c9', '2026-11-24T10:00:00.000Z', expect.stringContaining('invalid queue message: command.volume'), 1);
    expect(deletedHandles()).toEqual([bad.ReceiptHandle]);
  });

  it('deletes bodies that are not JSON or belong to another session, applying nothing', async () => {
    const { loop, process, handle, failInvalid } = setup();
    const other = sqsMessage({ ...command('c1'), sessionId: '22222222-2222-4222-8222-222222222222' }, 'commands');
    await loop.processBatch([sqsMessage('not json', 'commands'), other]);
    expect(process).not.toHaveBeenCalled();
    expect(handle).not.toHaveBeenCalled();
    expect(failInvalid).not.toHaveBeenCalled();
    expect(deletedHandles()).toHaveLength(2);
  });

  it('stops polling when its signal aborts', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [sqsMessage(command('c1'), 'commands')] });
    const stop = new AbortController();
    const { loop } = setup(vi.fn(async () => {
      stop.abort();
      return 'delete' as const;
    }));
    await loop.run(stop.signal);
    expect(sqsMock).toReceiveCommandTimes(ReceiveMessageCommand, 1);
  });
});
