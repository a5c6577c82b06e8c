import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandKey, COMMAND_MAX_RECEIVE_COUNT, type CommandMessage, type CommandStatus } from '#contract/index';
import { CommandProcessor, MAX_UNFINISHED_ATTEMPTS } from '#controller/queue/command-processor';
import { SessionStore, type CommandAttempt, type CommandResult } from '#controller/state/session-store';
import { CommandRejectedError } from '#controller/errors';
import { silentLogger } from '../test-logger.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const message = (commandId: string): CommandMessage => ({
  kind: 'COMMAND',
  sessionId: SESSION,
  commandId,
  acceptedAt: '2026-11-24T10:00:00.000Z',
  command: { type: 'SET_VOLUME', volume: 0.5 },
});

/** The command records as the controller sees them, in memory, with the store's conditional semantics. */
class MemoryCommandStore {
  records = new Map<string, { status: CommandStatus; started: number; transient: number; deadLetter: boolean; reason?: string; appliedAt?: string }>();

  queue(commandId: string) {
    this.records.set(commandId, { status: 'QUEUED', started: 0, transient: 0, deadLetter: false });
  }
  async beginAttempt(commandId: string): Promise<CommandAttempt> {
    const record = this.records.get(commandId);
    if (!record || record.status !== 'QUEUED') return { status: record?.status, unfinishedAttempts: 0, deadLetter: record?.deadLetter ?? false };
    const unfinished = record.started - record.transient;
    record.started += 1;
    return { status: 'QUEUED', unfinishedAttempts: unfinished, deadLetter: false };
  }
  async recordTransientFailure(commandId: string) {
    const record = this.records.get(commandId);
    if (record?.status === 'QUEUED') record.transient += 1;
  }
  async finishCommand(m: { commandId: string }, result: CommandResult, _attempts: number, at: Date): Promise<boolean> {
    const record = this.records.get(m.commandId);
    if (record && record.status !== 'QUEUED') return false;
    this.records.set(m.commandId, {
      ...(record ?? { started: 0, transient: 0 }),
      status: result.status,
      deadLetter: result.deadLetter === true,
      appliedAt: at.toISOString(),
      ...(result.reason ? { reason: result.reason } : {}),
    });
    return true;
  }
}

function setup(apply = vi.fn(async (_m: CommandMessage) => undefined)) {
  const store = new MemoryCommandStore();
  const afterCommand = vi.fn(async () => undefined);
  const processor = new CommandProcessor({ store, apply, afterCommand, logger: silentLogger(), now: () => new Date('2026-11-24T10:00:05.000Z') });
  return { processor, apply, afterCommand, store };
}

describe('CommandProcessor: exactly once', () => {
  it('applies a QUEUED command once and records APPLIED', async () => {
    const { processor, apply, afterCommand, store } = setup();
    store.queue('c1');
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(apply).toHaveBeenCalledOnce();
    expect(afterCommand).toHaveBeenCalledOnce();
    expect(store.records.get('c1')?.status).toBe('APPLIED');
  });

  it('does not hold the message for the now-playing report; reports run one at a time, in order', async () => {
    const store = new MemoryCommandStore();
    const releases: (() => void)[] = [];
    const afterCommand = vi.fn(() => new Promise<void>((resolve) => releases.push(resolve)));
    const processor = new CommandProcessor({ store, apply: async () => undefined, afterCommand, logger: silentLogger() });
    store.queue('c1');
    store.queue('c2');
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(await processor.process(message('c2'), 1)).toBe('delete');
    expect(store.records.get('c2')?.status).toBe('APPLIED');
    expect(afterCommand).toHaveBeenCalledTimes(1);
    releases[0]!();
    await vi.waitFor(() => expect(afterCommand).toHaveBeenCalledTimes(2));
    let done = false;
    const reported = processor.reported().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    releases[1]!();
    await reported;
  });

  it.each(['APPLIED', 'FAILED'] as const)('does not apply a redelivered command whose record is %s, and deletes it', async (status) => {
    const { processor, apply, store } = setup();
    store.records.set('c1', { status, started: 1, transient: 0, deadLetter: false });
    expect(await processor.process(message('c1'), 2)).toBe('delete');
    expect(apply).not.toHaveBeenCalled();
  });

  it('gives every result a later appliedAt than the one before, even within one millisecond', async () => {
    const { processor, store } = setup();
    for (const id of ['c1', 'c2', 'c3']) {
      store.queue(id);
      await processor.process(message(id), 1);
    }
    const times = ['c1', 'c2', 'c3'].map((id) => Date.parse(store.records.get(id)!.appliedAt!));
    expect(times[1]! - times[0]!).toBe(1);
    expect(times[2]! - times[1]!).toBe(1);
  });
});

describe('CommandProcessor: failures', () => {
  it('records FAILED at once, and deletes, a command that cannot succeed', async () => {
    const { processor, store } = setup(vi.fn(async () => Promise.reject(new CommandRejectedError('programUrl refused: private address'))));
    store.queue('c1');
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(store.records.get('c1')).toMatchObject({ status: 'FAILED', reason: 'programUrl refused: private address', deadLetter: false });
  });

  it('retries a transient failure until the last delivery, then records FAILED and releases it for the dead-letter queue', async () => {
    const { processor, apply, store } = setup(vi.fn(async () => Promise.reject(new Error('Throttling'))));
    store.queue('c1');
    const dispositions = [];
    for (let receive = 1; receive <= COMMAND_MAX_RECEIVE_COUNT; receive++) dispositions.push(await processor.process(message('c1'), receive));
    expect(dispositions).toEqual([...Array(COMMAND_MAX_RECEIVE_COUNT - 1).fill('retry'), 'dead-letter']);
    expect(apply).toHaveBeenCalledTimes(COMMAND_MAX_RECEIVE_COUNT);
    expect(store.records.get('c1')).toMatchObject({ status: 'FAILED', deadLetter: true, reason: `gave up after ${COMMAND_MAX_RECEIVE_COUNT} attempts: Throttling` });
  });

  it('releases a command FAILED for the dead-letter queue again when it comes back, until SQS redrives it', async () => {
    const { processor, apply, store } = setup();
    store.records.set('c1', { status: 'FAILED', started: 2, transient: 0, deadLetter: true });
    expect(await processor.process(message('c1'), 3)).toBe('dead-letter');
    expect(await processor.process(message('c1'), COMMAND_MAX_RECEIVE_COUNT)).toBe('dead-letter');
    // A queue without a redrive policy would hand it back forever: past the count it is deleted.
    expect(await processor.process(message('c1'), COMMAND_MAX_RECEIVE_COUNT + 1)).toBe('delete');
    expect(apply).not.toHaveBeenCalled();
  });

  it('takes a command during which the controller was lost twice for the cause: FAILED for the dead-letter queue, not applied', async () => {
    const { processor, apply, store } = setup();
    store.queue('c1');
    // Two deliveries began applying it and neither finished (the controller died each time).
    await store.beginAttempt('c1');
    await store.beginAttempt('c1');
    expect(await processor.process(message('c1'), 3)).toBe('dead-letter');
    expect(apply).not.toHaveBeenCalled();
    expect(store.records.get('c1')).toMatchObject({ status: 'FAILED', deadLetter: true });
    expect(store.records.get('c1')?.reason).toContain(`lost ${MAX_UNFINISHED_ATTEMPTS} times`);
  });

  it('applies again a command during which the controller was lost once (a kill is not the command’s fault)', async () => {
    const { processor, apply, store } = setup();
    store.queue('c1');
    await store.beginAttempt('c1');
    expect(await processor.process(message('c1'), 2)).toBe('delete');
    expect(apply).toHaveBeenCalledOnce();
    expect(store.records.get('c1')?.status).toBe('APPLIED');
  });

  it('does not count transient failures as lost controllers', async () => {
    let calls = 0;
    const { processor, store } = setup(vi.fn(async () => (++calls < 3 ? Promise.reject(new Error('Throttling')) : undefined)));
    store.queue('c1');
    expect(await processor.process(message('c1'), 1)).toBe('retry');
    expect(await processor.process(message('c1'), 2)).toBe('retry');
    expect(await processor.process(message('c1'), 3)).toBe('delete');
    expect(store.records.get('c1')?.status).toBe('APPLIED');
  });
});

/** DynamoDB unavailable, as the SDK reports it (a 503 the SDK's own retries did not get past). */
function unavailable(): Error {
  return Object.assign(new Error('The service is unavailable. Please try again later.'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
}

/** Fails the store's `call` with DynamoDB unavailable the next `times` times it is made. */
function failNext(store: MemoryCommandStore, call: 'beginAttempt' | 'finishCommand' | 'recordTransientFailure', times: number, error = unavailable) {
  const real = store[call].bind(store) as (...args: unknown[]) => Promise<unknown>;
  let left = times;
  (store as unknown as Record<string, unknown>)[call] = async (...args: unknown[]) => {
    if (left > 0) {
      left -= 1;
      throw error();
    }
    return real(...args);
  };
}

describe('CommandProcessor: preparing while the record is written', () => {
  const prepared = () => ({ discard: vi.fn(async () => undefined) });

  it('prepares a first delivery alongside beginAttempt and hands the preparation to apply', async () => {
    const store = new MemoryCommandStore();
    store.queue('c1');
    const order: string[] = [];
    const work = prepared();
    const begin = store.beginAttempt.bind(store);
    store.beginAttempt = async (id) => {
      order.push('beginAttempt');
      return begin(id);
    };
    const apply = vi.fn(async (_m: CommandMessage, _p?: { discard(): Promise<void> }) => void order.push('apply'));
    const processor = new CommandProcessor({ store, prepare: () => (order.push('prepare'), work), apply, logger: silentLogger() });
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(order).toEqual(['prepare', 'beginAttempt', 'apply']);
    expect(apply.mock.calls[0]![1]).toBe(work);
    expect(work.discard).not.toHaveBeenCalled();
  });

  it('does not prepare a redelivery before its record says to apply it (a command that took a controller down)', async () => {
    const store = new MemoryCommandStore();
    store.records.set('c1', { status: 'QUEUED', started: MAX_UNFINISHED_ATTEMPTS, transient: 0, deadLetter: false });
    const prepare = vi.fn(prepared);
    const apply = vi.fn(async () => undefined);
    const processor = new CommandProcessor({ store, prepare, apply, logger: silentLogger() });
    expect(await processor.process(message('c1'), MAX_UNFINISHED_ATTEMPTS + 1)).toBe('dead-letter');
    expect(prepare).not.toHaveBeenCalled();
    expect(apply).not.toHaveBeenCalled();
    expect(store.records.get('c1')?.status).toBe('FAILED');
  });

  it('lets the preparation go when the record already has a result, or cannot be read', async () => {
    const store = new MemoryCommandStore();
    store.records.set('c1', { status: 'APPLIED', started: 1, transient: 0, deadLetter: false });
    const work = prepared();
    const apply = vi.fn(async () => undefined);
    const processor = new CommandProcessor({ store, prepare: () => work, apply, logger: silentLogger() });
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(work.discard).toHaveBeenCalledOnce();
    expect(apply).not.toHaveBeenCalled();

    const broken = prepared();
    store.beginAttempt = async () => {
      throw new Error('AccessDeniedException');
    };
    const failing = new CommandProcessor({ store, prepare: () => broken, apply, logger: silentLogger() });
    await expect(failing.process(message('c2'), 1)).rejects.toThrow('AccessDeniedException');
    expect(broken.discard).toHaveBeenCalledOnce();
  });

  it('records appliedAt as the time apply says the command took effect, never later than now nor before the previous result', async () => {
    const store = new MemoryCommandStore();
    let tookEffect: Date | undefined = new Date('2026-11-24T10:00:04.250Z');
    const apply = vi.fn(async () => tookEffect);
    const processor = new CommandProcessor({ store, apply, logger: silentLogger(), now: () => new Date('2026-11-24T10:00:05.000Z') });
    store.queue('c1');
    await processor.process(message('c1'), 1);
    expect(store.records.get('c1')?.appliedAt).toBe('2026-11-24T10:00:04.250Z');
    tookEffect = new Date('2026-11-24T10:00:04.000Z');
    store.queue('c2');
    await processor.process(message('c2'), 1);
    expect(store.records.get('c2')?.appliedAt).toBe('2026-11-24T10:00:04.251Z');
    tookEffect = new Date('2026-11-24T10:00:09.000Z');
    store.queue('c3');
    await processor.process(message('c3'), 1);
    expect(store.records.get('c3')?.appliedAt).toBe('2026-11-24T10:00:05.000Z');
    tookEffect = undefined;
    store.queue('c4');
    await processor.process(message('c4'), 1);
    expect(store.records.get('c4')?.appliedAt).toBe('2026-11-24T10:00:05.001Z');
  });
});

describe('CommandProcessor: the command record unreachable (DynamoDB unavailable)', () => {
  function setupWithWaits(apply = vi.fn(async (_m: CommandMessage) => undefined)) {
    const store = new MemoryCommandStore();
    const waits: number[] = [];
    const processor = new CommandProcessor({
      store,
      apply,
      logger: silentLogger(),
      sleep: async (ms) => void waits.push(ms),
    });
    return { processor, apply, store, waits };
  }

  it('records the result of an applied command once DynamoDB answers, without applying it again or giving the delivery back', async () => {
    const { processor, apply, store, waits } = setupWithWaits();
    store.queue('c1');
    failNext(store, 'finishCommand', 6);
    // Before: the failed write threw, the message went back to the queue, and its next delivery found the
    // record QUEUED and applied the command a second time (or, with DynamoDB down longer, SQS dead-lettered
    // it with its record QUEUED).
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(apply).toHaveBeenCalledOnce();
    expect(store.records.get('c1')).toMatchObject({ status: 'APPLIED', started: 1 });
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });

  it('waits for the record before applying: no receive is used up while DynamoDB is down', async () => {
    const { processor, apply, store } = setupWithWaits();
    store.queue('c1');
    failNext(store, 'beginAttempt', 20);
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(apply).toHaveBeenCalledOnce();
    expect(store.records.get('c1')).toMatchObject({ status: 'APPLIED', started: 1 });
  });

  it('keeps the count of a transient failure of the command itself when DynamoDB is briefly down as it is counted', async () => {
    const { processor, store } = setupWithWaits(vi.fn(async () => Promise.reject(new Error('Throttling'))));
    store.queue('c1');
    failNext(store, 'recordTransientFailure', 2);
    expect(await processor.process(message('c1'), 1)).toBe('retry');
    expect(store.records.get('c1')).toMatchObject({ status: 'QUEUED', started: 1, transient: 1 });
  });

  it('still throws an error that is not transient (the message is left for redelivery as before)', async () => {
    const { processor, apply, store } = setupWithWaits();
    store.queue('c1');
    failNext(store, 'beginAttempt', 1, () => Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(processor.process(message('c1'), 1)).rejects.toThrow('not allowed');
    expect(apply).not.toHaveBeenCalled();
  });

  it('gives up trying when the loop is told to stop (the next controller gets the message)', async () => {
    const { processor, apply, store } = setupWithWaits();
    store.queue('c1');
    failNext(store, 'beginAttempt', 1);
    const stop = new AbortController();
    stop.abort();
    await expect(processor.process(message('c1'), 1, stop.signal)).rejects.toThrow('unavailable');
    expect(apply).not.toHaveBeenCalled();
  });
});

describe('SessionStore: command attempts in DynamoDB', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new SessionStore(doc, 'sessions', SESSION);

  beforeEach(() => ddb.reset());

  it('counts a beginning delivery only over QUEUED and reports the unfinished ones before it', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { status: 'QUEUED', attemptsStarted: 3, transientFailures: 1 } });
    expect(await store.beginAttempt('c1')).toEqual({ status: 'QUEUED', unfinishedAttempts: 2, deadLetter: false });
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      Key: commandKey(SESSION, 'c1'),
      ConditionExpression: 'attribute_exists(pk) AND #status = :queued',
      ReturnValues: 'ALL_OLD',
    });
  });

  it('reads the result of a command that has one', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: { status: 'FAILED', deadLetter: true } });
    expect(await store.beginAttempt('c1')).toEqual({ status: 'FAILED', unfinishedAttempts: 0, deadLetter: true });
  });

  it('records a result only over QUEUED, with the dead-letter mark when asked', async () => {
    ddb.on(UpdateCommand).resolves({});
    await store.finishCommand({ commandId: 'c1', acceptedAt: 'a' }, { status: 'FAILED', reason: 'gave up', deadLetter: true }, 5, new Date(0));
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :queued',
      ExpressionAttributeNames: expect.objectContaining({ '#deadLetter': 'deadLetter' }),
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED', ':deadLetter': true, ':attempts': 5 }),
    });
  });

  it('records which controller recorded the result (appliedBy) in the same conditional update', async () => {
    ddb.on(UpdateCommand).resolves({});
    const controllerStore = new SessionStore(doc, 'sessions', SESSION, 'participant-7');
    await controllerStore.finishCommand({ commandId: 'c1', acceptedAt: 'a' }, { status: 'APPLIED' }, 1, new Date(0));
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      UpdateExpression: expect.stringContaining('#appliedBy = :by'),
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :queued',
      ExpressionAttributeNames: expect.objectContaining({ '#appliedBy': 'appliedBy' }),
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'APPLIED', ':by': 'participant-7' }),
    });
  });

  it('answers false when another attempt recorded the result first, and throws other errors', async () => {
    ddb.on(UpdateCommand).rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} })).rejectsOnce(new Error('ProvisionedThroughputExceeded'));
    expect(await store.finishCommand({ commandId: 'c1', acceptedAt: 'a' }, { status: 'APPLIED' }, 1, new Date(0))).toBe(false);
    await expect(store.finishCommand({ commandId: 'c1', acceptedAt: 'a' }, { status: 'APPLIED' }, 1, new Date(0))).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});
