import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { COMMAND_MAX_RECEIVE_COUNT, COMMAND_VISIBILITY_TIMEOUT_SECONDS, type CallbackMessage, type CommandMessage } from '#contract/index';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { queueArn, SqsStore } from '#local-cloud/services/sqs/store';
import { QueueLoop, RETRY_BACKOFF_SECONDS } from '#controller/queue/queue-loop';
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

  it('polls briefly (a poll outliving a killed controller would swallow messages) for one message (only a group head) with the contract settings', async () => {
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const { loop } = setup();
    await loop.receive();
    expect(sqsMock).toReceiveCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      WaitTimeSeconds: 1,
      MaxNumberOfMessages: 1,
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

  it('stops when its queue is gone (Teardown deleted it) instead of polling it for ever', async () => {
    sqsMock.on(ReceiveMessageCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    const { loop } = setup();
    await expect(loop.run(new AbortController().signal)).resolves.toBe('queue-gone');
    expect(sqsMock).toReceiveCommandTimes(ReceiveMessageCommand, 1);
  });
});

/**
 * The loop against the local cloud's SQS store (the FIFO semantics AWS documents: a group's messages in order,
 * none while one is in flight, receive counts, redrive to the dead-letter queue), its clock moved by hand.
 */
describe('QueueLoop: a stuck head of the commands group (the local SQS store behind the client)', () => {
  const NAME = 'shelcaster-program-commands-x.fifo';
  const DLQ = 'shelcaster-program-commands-dlq.fifo';
  let clock: ManualClock;
  let store: SqsStore;
  /** Receives per command id, as the loop saw them. */
  let receives: Map<string, number>;

  const commandIdOf = (body: string) => (JSON.parse(body) as { commandId?: string }).commandId ?? 'callback';

  beforeEach(() => {
    sqsMock.reset();
    clock = new ManualClock();
    store = new SqsStore(clock);
    store.createQueue(DLQ, { FifoQueue: 'true' }, {});
    store.createQueue(
      NAME,
      {
        FifoQueue: 'true',
        VisibilityTimeout: String(COMMAND_VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(DLQ), maxReceiveCount: COMMAND_MAX_RECEIVE_COUNT }),
      },
      {},
    );
    receives = new Map();
    sqsMock.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number; VisibilityTimeout?: number }) => {
      const received = store.receiveNow(NAME, { maxMessages: input.MaxNumberOfMessages ?? 1, visibilityTimeoutSeconds: input.VisibilityTimeout });
      for (const r of received) receives.set(commandIdOf(r.message.body), (receives.get(commandIdOf(r.message.body)) ?? 0) + 1);
      return {
        Messages: received.map((r) => ({
          MessageId: r.message.id,
          ReceiptHandle: r.receiptHandle,
          Body: r.message.body,
          Attributes: { MessageGroupId: r.message.groupId ?? '', ApproximateReceiveCount: String(r.message.receiveCount), SequenceNumber: r.message.sequenceNumber ?? '' },
        })),
      };
    });
    sqsMock.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle: string }) => (store.deleteMessage(NAME, input.ReceiptHandle), {}));
    sqsMock.on(ChangeMessageVisibilityCommand).callsFake((input: { ReceiptHandle: string; VisibilityTimeout: number }) => {
      store.changeVisibility(NAME, input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { ReceiptHandle: string; VisibilityTimeout: number }[] }) => {
      for (const entry of input.Entries) store.changeVisibility(NAME, entry.ReceiptHandle, entry.VisibilityTimeout);
      return { Successful: [], Failed: [] };
    });
  });

  const enqueue = (...ids: string[]) => {
    for (const id of ids) store.send(NAME, { body: JSON.stringify(command(id)), groupId: 'commands', deduplicationId: id });
  };
  const deadLettered = () => store.receiveNow(DLQ, { maxMessages: 10 }).map((r) => commandIdOf(r.message.body));
  /** Receive-and-process cycles, the clock moved past any visibility the loop set between them. */
  const cycles = async (loop: QueueLoop, count: number) => {
    for (let i = 0; i < count; i++) {
      await loop.processBatch(await loop.receive());
      await clock.advance((COMMAND_VISIBILITY_TIMEOUT_SECONDS + RETRY_BACKOFF_SECONDS * COMMAND_MAX_RECEIVE_COUNT) * 1000);
    }
  };

  it('while the head keeps failing (DynamoDB down), receives only the head: the commands behind it are neither counted nor dead-lettered', async () => {
    const tries = new Map<string, number>();
    const { loop } = setup(
      vi.fn(async (m: CommandMessage): Promise<Disposition> => {
        tries.set(m.commandId, (tries.get(m.commandId) ?? 0) + 1);
        if (m.commandId === 'c1') throw new Error('DynamoDB unavailable');
        return 'delete';
      }),
    );
    enqueue('c1', 'c2', 'c3', 'c4');

    await cycles(loop, COMMAND_MAX_RECEIVE_COUNT + 5);

    // Every receive of a command was a try of it: none was handed out only to wait behind the head.
    expect(Object.fromEntries(receives)).toEqual(Object.fromEntries(tries));
    expect(tries.get('c1')).toBe(COMMAND_MAX_RECEIVE_COUNT);
    expect([tries.get('c2'), tries.get('c3'), tries.get('c4')]).toEqual([1, 1, 1]);
    // Only the head, tried as often as the queue allows, went to the dead-letter queue.
    expect(deadLettered()).toEqual(['c1']);
  });

  it('while the head waits out its retry back-off, the commands behind it wait unreceived and then go once each', async () => {
    let failures = 0;
    const { loop, process } = setup(vi.fn(async (m: CommandMessage): Promise<Disposition> => (m.commandId === 'c1' && failures++ < 3 ? 'retry' : 'delete')));
    enqueue('c1', 'c2', 'c3');

    await cycles(loop, 8);

    expect(process.mock.calls.map(([m, receiveCount]) => `${m.commandId}#${receiveCount}`)).toEqual(['c1#1', 'c1#2', 'c1#3', 'c1#4', 'c2#1', 'c3#1']);
    expect(deadLettered()).toEqual([]);
  });

  it('waiting for the READY token, holds a command it received (one receive) and releases it at the end', async () => {
    const { loop } = setup();
    enqueue('c1', 'c2');
    store.send(NAME, { body: JSON.stringify(callback('READY')), groupId: 'callbacks', deduplicationId: 'ready' });

    const ready = await loop.receiveReadyToken(Date.now() + 5000, new AbortController().signal);

    expect(ready).toMatchObject({ message: { callback: 'READY' } });
    expect(receives.get('c2')).toBeUndefined();
    expect(receives.get('c1') ?? 0).toBeLessThanOrEqual(1);
    // Released: the next controller (or this one) receives c1 at once.
    expect(store.receiveNow(NAME, { maxMessages: 1 }).map((r) => commandIdOf(r.message.body))).toEqual(['c1']);
  });
});
