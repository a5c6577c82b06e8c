import { beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandKey, type CommandMessage } from '#contract/index';
import { CommandProcessor } from '../../../../controller/queue/command-processor.ts';
import { SessionStore } from '../../../../controller/state/session-store.ts';
import { CommandRejectedError } from '../../../../controller/errors.ts';
import { silentLogger } from '../test-logger.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(DynamoDBDocumentClient);

const message = (commandId: string): CommandMessage => ({
  kind: 'COMMAND',
  sessionId: SESSION,
  commandId,
  acceptedAt: '2026-11-24T10:00:00.000Z',
  command: { type: 'SET_VOLUME', volume: 0.5 },
});

function setup(apply = vi.fn(async () => undefined)) {
  const store = new SessionStore(doc, 'sessions', SESSION);
  const afterCommand = vi.fn(async () => undefined);
  const processor = new CommandProcessor({
    store,
    apply,
    afterCommand,
    logger: silentLogger(),
    now: () => new Date('2026-11-24T10:00:05.000Z'),
  });
  return { processor, apply, afterCommand };
}

describe('CommandProcessor: exactly once', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { status: 'QUEUED' } });
    ddb.on(UpdateCommand).resolves({});
  });

  it('applies a QUEUED command and records APPLIED only over QUEUED', async () => {
    const { processor, apply, afterCommand } = setup();
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(apply).toHaveBeenCalledOnce();
    expect(afterCommand).toHaveBeenCalledOnce();
    expect(ddb).toReceiveCommandWith(GetCommand, { Key: commandKey(SESSION, 'c1'), ConsistentRead: true });
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      Key: commandKey(SESSION, 'c1'),
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :queued',
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'APPLIED', ':at': '2026-11-24T10:00:05.000Z', ':attempts': 1 }),
    });
  });

  it.each(['APPLIED', 'FAILED'])('does not apply a redelivered command whose record is %s, and deletes it', async (status) => {
    ddb.on(GetCommand).resolves({ Item: { status } });
    const { processor, apply } = setup();
    expect(await processor.process(message('c1'), 2)).toBe('delete');
    expect(apply).not.toHaveBeenCalled();
    expect(ddb).not.toReceiveCommand(UpdateCommand);
  });

  it('deletes without complaint when another attempt recorded the result first', async () => {
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    const { processor } = setup();
    expect(await processor.process(message('c1'), 1)).toBe('delete');
  });

  it('records FAILED with the reason for a command that cannot succeed', async () => {
    const { processor } = setup(vi.fn(async () => Promise.reject(new CommandRejectedError('programUrl refused: private address'))));
    expect(await processor.process(message('c1'), 1)).toBe('delete');
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED', ':reason': 'programUrl refused: private address' }),
    });
  });

  it('leaves a transiently failing command for redelivery, without a result', async () => {
    const { processor } = setup(vi.fn(async () => Promise.reject(new Error('Throttling'))));
    expect(await processor.process(message('c1'), 3)).toBe('keep');
    expect(ddb).not.toReceiveCommand(UpdateCommand);
  });

  it('records FAILED on the receive before the message would dead-letter', async () => {
    const { processor } = setup(vi.fn(async () => Promise.reject(new Error('Throttling'))));
    expect(await processor.process(message('c1'), 4)).toBe('delete');
    expect(ddb).toReceiveCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED', ':reason': 'gave up after 4 attempts: Throttling', ':attempts': 4 }),
    });
  });

  it('throws (so the message stays) when the result cannot be recorded', async () => {
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
    const { processor } = setup();
    await expect(processor.process(message('c1'), 1)).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});
