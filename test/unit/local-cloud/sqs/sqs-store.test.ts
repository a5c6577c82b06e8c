import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { md5OfMessageAttributes, queueArn, SqsStore } from '#local-cloud/services/sqs/store';

const FIFO = { FifoQueue: 'true', VisibilityTimeout: '30' };

function fifoStore(clock = new ManualClock(), attributes: Record<string, string> = FIFO): SqsStore {
  const store = new SqsStore(clock);
  store.createQueue('q.fifo', attributes, {});
  return store;
}

function send(store: SqsStore, body: string, groupId = 'g', deduplicationId = body): string {
  return store.send('q.fifo', { body, groupId, deduplicationId }).messageId;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SqsStore: FIFO queues', () => {
  it('delivers a group in send order and blocks it while one of its messages is in flight', () => {
    const store = fifoStore();
    send(store, 'a1', 'a');
    send(store, 'a2', 'a');
    send(store, 'b1', 'b');
    const first = store.receiveNow('q.fifo', { maxMessages: 1 });
    expect(first.map((r) => r.message.body)).toEqual(['a1']);
    const second = store.receiveNow('q.fifo', { maxMessages: 10 });
    expect(second.map((r) => r.message.body)).toEqual(['b1']);
    store.deleteMessage('q.fifo', first[0]?.receiptHandle ?? '');
    expect(store.receiveNow('q.fifo', { maxMessages: 10 }).map((r) => r.message.body)).toEqual(['a2']);
  });

  it('returns several messages of one group in order within one receive', () => {
    const store = fifoStore();
    for (const body of ['1', '2', '3']) send(store, body);
    const received = store.receiveNow('q.fifo', { maxMessages: 10 });
    expect(received.map((r) => r.message.body)).toEqual(['1', '2', '3']);
    const sequences = received.map((r) => BigInt(r.message.sequenceNumber ?? '0'));
    expect(sequences[1]! > sequences[0]!).toBe(true);
  });

  it('drops a duplicate deduplication id within five minutes and accepts it after', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    const id = send(store, 'x', 'g', 'dup');
    expect(store.send('q.fifo', { body: 'x again', groupId: 'g', deduplicationId: 'dup' }).messageId).toBe(id);
    expect(store.attributesOf('q.fifo')['ApproximateNumberOfMessages']).toBe('1');
    await clock.advance(5 * 60 * 1000 + 1);
    expect(store.send('q.fifo', { body: 'x later', groupId: 'g', deduplicationId: 'dup' }).messageId).not.toBe(id);
    expect(store.attributesOf('q.fifo')['ApproximateNumberOfMessages']).toBe('2');
  });

  it('deduplicates by the body SHA-256 with ContentBasedDeduplication', () => {
    const store = fifoStore(new ManualClock(), { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const a = store.send('q.fifo', { body: 'same', groupId: 'g' });
    const b = store.send('q.fifo', { body: 'same', groupId: 'g' });
    expect(b.messageId).toBe(a.messageId);
  });

  it('refuses a FIFO send without a group id or a deduplication id', () => {
    const store = fifoStore();
    expect(() => store.send('q.fifo', { body: 'x', deduplicationId: 'd' })).toThrow(/MessageGroupId/);
    expect(() => store.send('q.fifo', { body: 'x', groupId: 'g' })).toThrow(/ContentBasedDeduplication/);
  });
});

describe('SqsStore: visibility and redrive', () => {
  it('makes a received message visible again after its visibility timeout', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    send(store, 'm');
    expect(store.receiveNow('q.fifo', { maxMessages: 1 })).toHaveLength(1);
    await clock.advance(29_999);
    expect(store.receiveNow('q.fifo', { maxMessages: 1 })).toHaveLength(0);
    await clock.advance(1);
    const again = store.receiveNow('q.fifo', { maxMessages: 1 });
    expect(again[0]?.message.receiveCount).toBe(2);
  });

  it('keeps a deleted-with-a-stale-handle message, as SQS does', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    send(store, 'm');
    const old = store.receiveNow('q.fifo', { maxMessages: 1 })[0]?.receiptHandle ?? '';
    await clock.advance(30_000);
    store.receiveNow('q.fifo', { maxMessages: 1 });
    store.deleteMessage('q.fifo', old);
    expect(store.attributesOf('q.fifo')['ApproximateNumberOfMessagesNotVisible']).toBe('1');
  });

  it('changes visibility of an in-flight message and refuses one not in flight', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    send(store, 'm');
    const handle = store.receiveNow('q.fifo', { maxMessages: 1 })[0]?.receiptHandle ?? '';
    store.changeVisibility('q.fifo', handle, 0);
    expect(store.receiveNow('q.fifo', { maxMessages: 1 })).toHaveLength(1);
    await clock.advance(31_000);
    expect(() => store.changeVisibility('q.fifo', handle, 5)).toThrow(AwsServiceError);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const clock = new ManualClock();
    const store = new SqsStore(clock);
    store.createQueue('dlq.fifo', { FifoQueue: 'true' }, {});
    store.createQueue('q.fifo', { FifoQueue: 'true', VisibilityTimeout: '10', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('dlq.fifo'), maxReceiveCount: 2 }) }, {});
    send(store, 'poison');
    send(store, 'next');
    for (let i = 0; i < 2; i++) {
      expect(store.receiveNow('q.fifo', { maxMessages: 1 }).map((r) => r.message.body)).toEqual(['poison']);
      await clock.advance(10_000);
    }
    expect(store.receiveNow('q.fifo', { maxMessages: 1 }).map((r) => r.message.body)).toEqual(['next']);
    const dead = store.receiveNow('dlq.fifo', { maxMessages: 10 });
    expect(dead.map((r) => r.message.body)).toEqual(['poison']);
    expect(store.deadLetterSourceQueues('dlq.fifo')).toEqual(['q.fifo']);
  });

  it('refuses to create a deleted queue again for 60 s (QueueDeletedRecently), as SQS does', async () => {
    const clock = new ManualClock();
    const store = new SqsStore(clock);
    store.createQueue('session-q.fifo', FIFO, {});
    store.deleteQueue('session-q.fifo');
    await clock.advance(59_000);
    expect(() => store.createQueue('session-q.fifo', FIFO, {})).toThrow(expect.objectContaining({ code: 'QueueDeletedRecently' }));
    await clock.advance(1_000);
    expect(store.createQueue('session-q.fifo', FIFO, {}).name).toBe('session-q.fifo');
  });

  it('lets a deleted queue answer for the deletion delay (AWS: up to 60 s), then drops it with its messages', async () => {
    const clock = new ManualClock();
    const store = new SqsStore(clock, undefined, 60_000);
    store.createQueue('session-q.fifo', FIFO, {});
    store.deleteQueue('session-q.fifo');
    // "Requests you send involving that queue during the 60 seconds might succeed": here they all do.
    store.send('session-q.fifo', { body: 'late', groupId: 'g', deduplicationId: 'late' });
    const [late] = store.receiveNow('session-q.fifo', { maxMessages: 1 });
    expect(late?.message.body).toBe('late');
    store.deleteMessage('session-q.fifo', late!.receiptHandle);
    store.deleteQueue('session-q.fifo');
    expect(() => store.createQueue('session-q.fifo', FIFO, {})).toThrow(expect.objectContaining({ code: 'QueueDeletedRecently' }));
    await clock.advance(50_000);
    const waiting = store.receive('session-q.fifo', { maxMessages: 1 }, 20).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await clock.advance(9_999);
    expect(store.getQueue('session-q.fifo').name).toBe('session-q.fifo');
    await clock.advance(1);
    // The long poll waiting at the end of the window ends with the queue gone.
    expect(await waiting).toMatchObject({ code: 'QueueDoesNotExist' });
    expect(() => store.getQueue('session-q.fifo')).toThrow(expect.objectContaining({ code: 'QueueDoesNotExist' }));
    expect(() => store.send('session-q.fifo', { body: 'later', groupId: 'g', deduplicationId: 'later' })).toThrow(expect.objectContaining({ code: 'QueueDoesNotExist' }));
    expect(store.listQueues()).toEqual([]);
  });

  it('finds a queue deleted within its window gone after a restart (the journal records the deletion at once)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sqs-deleting-'));
    dirs.push(dataDir);
    const clock = new ManualClock();
    const store = new SqsStore(clock, dataDir, 60_000);
    store.createQueue('session-q.fifo', FIFO, {});
    store.deleteQueue('session-q.fifo');
    store.send('session-q.fifo', { body: 'late', groupId: 'g', deduplicationId: 'late' });
    store.close();
    const restarted = new SqsStore(clock, dataDir, 60_000);
    expect(restarted.listQueues()).toEqual([]);
    restarted.close();
  });

  it('drops messages older than the retention period', async () => {
    const clock = new ManualClock();
    const store = new SqsStore(clock);
    store.createQueue('short', { MessageRetentionPeriod: '60' }, {});
    store.send('short', { body: 'old' });
    await clock.advance(60_000);
    expect(store.receiveNow('short', { maxMessages: 10 })).toHaveLength(0);
  });

  it('holds a delayed message until its delay has passed', async () => {
    const clock = new ManualClock();
    const store = new SqsStore(clock);
    store.createQueue('delayed', {}, {});
    store.send('delayed', { body: 'later', delaySeconds: 5 });
    expect(store.attributesOf('delayed')['ApproximateNumberOfMessagesDelayed']).toBe('1');
    expect(store.receiveNow('delayed', { maxMessages: 1 })).toHaveLength(0);
    await clock.advance(5_000);
    expect(store.receiveNow('delayed', { maxMessages: 1 })).toHaveLength(1);
  });
});

describe('SqsStore: long polling', () => {
  it('answers a waiting receive when a message is sent', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    const waiting = store.receive('q.fifo', { maxMessages: 1 }, 20);
    send(store, 'now');
    expect((await waiting).map((r) => r.message.body)).toEqual(['now']);
  });

  it('answers a waiting receive when an in-flight message becomes visible again', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock, { FifoQueue: 'true', VisibilityTimeout: '5' });
    send(store, 'm');
    store.receiveNow('q.fifo', { maxMessages: 1 });
    const waiting = store.receive('q.fifo', { maxMessages: 1 }, 20);
    await Promise.resolve();
    await clock.advance(5_000);
    expect((await waiting).map((r) => r.message.receiveCount)).toEqual([2]);
  });

  it('answers empty when the wait time is up', async () => {
    const clock = new ManualClock();
    const store = fifoStore(clock);
    const waiting = store.receive('q.fifo', { maxMessages: 1 }, 20);
    await Promise.resolve();
    await clock.advance(20_000);
    expect(await waiting).toEqual([]);
  });
});

describe('SqsStore: durability', () => {
  it('finds queues, messages, receive counts and deduplication again after a restart; in-flight messages are visible', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqs-store-'));
    dirs.push(dir);
    const clock = new ManualClock();
    const before = new SqsStore(clock, dir);
    before.createQueue('q.fifo', FIFO, { team: 'a' });
    before.send('q.fifo', { body: 'gone', groupId: 'g', deduplicationId: 'd0' });
    const deleted = before.receiveNow('q.fifo', { maxMessages: 1 })[0]?.receiptHandle ?? '';
    before.deleteMessage('q.fifo', deleted);
    const kept = before.send('q.fifo', { body: 'kept', groupId: 'g', deduplicationId: 'd1' });
    before.receiveNow('q.fifo', { maxMessages: 1 });
    before.close();

    const after = new SqsStore(clock, dir);
    expect(after.getQueue('q.fifo').tags).toEqual({ team: 'a' });
    const received = after.receiveNow('q.fifo', { maxMessages: 10 });
    expect(received.map((r) => [r.message.body, r.message.receiveCount])).toEqual([['kept', 2]]);
    expect(after.send('q.fifo', { body: 'kept', groupId: 'g', deduplicationId: 'd1' }).messageId).toBe(kept.messageId);
    const next = after.send('q.fifo', { body: 'new', groupId: 'g', deduplicationId: 'd2' });
    expect(BigInt(next.sequenceNumber ?? '0') > BigInt(kept.sequenceNumber ?? '0')).toBe(true);
  });
});

describe('md5OfMessageAttributes', () => {
  it('digests the documented layout: length-prefixed name, type, transport byte 1 and value', () => {
    const field = (text: string): Buffer => {
      const bytes = Buffer.from(text);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const layout = Buffer.concat([field('kind'), field('String'), Buffer.from([1]), field('play')]);
    expect(md5OfMessageAttributes({ kind: { DataType: 'String', StringValue: 'play' } })).toBe(createHash('md5').update(layout).digest('hex'));
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
});
