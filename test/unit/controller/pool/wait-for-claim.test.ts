import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { WARM_CONTROLLER_LIFETIME_SECONDS, WARM_CONTROLLER_UNRECORDED_SECONDS, type WarmControllerRecord } from '#contract/index';
import { waitForClaim } from '#controller/pool/wait-for-claim';
import { silentLogger } from '../test-logger.ts';

const TASK = 'arn:aws:ecs:us-east-1:000000000000:task/shelcaster-cluster/pool1';
const ASSIGNMENT = { sessionId: '11111111-1111-4111-8111-111111111111', stageArn: 'arn:aws:ivs:us-east-1:0:stage/s', queueUrl: 'http://q', generation: 0 };

/** One pool record in memory, with DynamoDB's conditional update on `state`; `onRead` lets a test act between polls. */
function fakeTable(initial: WarmControllerRecord | undefined, onRead: (reads: number, record: WarmControllerRecord | undefined) => WarmControllerRecord | undefined = (_n, r) => r) {
  let record = initial;
  let reads = 0;
  const doc = {
    async send(command: unknown) {
      if (command instanceof GetCommand) {
        record = onRead(++reads, record);
        return { Item: record ? { ...record } : undefined };
      }
      if (command instanceof UpdateCommand) {
        const values = command.input.ExpressionAttributeValues ?? {};
        if (!record || !['STARTING', 'IDLE'].includes(record.state)) throw Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });
        record = { ...record, state: values[':to'], ...(values[':at'] ? { seenAt: values[':at'], idleSince: record.idleSince ?? values[':at'] } : {}) };
        return {};
      }
      throw new Error('unexpected command');
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, current: () => record };
}

const deps = (doc: DynamoDBDocumentClient, now: () => Date = () => new Date()) => ({
  doc,
  tableName: 'shelcaster-sessions',
  taskArn: TASK,
  logger: silentLogger(),
  stopSignal: new AbortController().signal,
  now,
  pollMs: 1,
});

describe('Function: waitForClaim', () => {
  it('marks itself IDLE, then answers the session a start wrote into its record', async () => {
    const table = fakeTable({ taskArn: TASK, state: 'STARTING', startedAt: new Date().toISOString() }, (reads, record) =>
      reads === 3 && record ? { ...record, state: 'CLAIMED', assignment: ASSIGNMENT } : record,
    );
    expect(await waitForClaim(deps(table.doc))).toEqual({ claimed: ASSIGNMENT });
  });

  it('says it is alive while idle (seenAt)', async () => {
    const table = fakeTable({ taskArn: TASK, state: 'STARTING', startedAt: new Date().toISOString() }, (reads, record) =>
      reads === 2 && record ? { ...record, state: 'CLAIMED', assignment: ASSIGNMENT } : record,
    );
    await waitForClaim(deps(table.doc));
    expect(table.current()?.seenAt).toEqual(expect.any(String));
    expect(table.current()?.idleSince).toEqual(expect.any(String));
  });

  it('gives up when it is retired', async () => {
    const table = fakeTable({ taskArn: TASK, state: 'RETIRED', startedAt: new Date().toISOString() });
    expect(await waitForClaim(deps(table.doc))).toEqual({ ended: 'retired' });
  });

  it('retires itself at the end of its lifetime (never claimed afterwards)', async () => {
    const startedAt = new Date(Date.now() - WARM_CONTROLLER_LIFETIME_SECONDS * 1000 - 1).toISOString();
    const table = fakeTable({ taskArn: TASK, state: 'IDLE', startedAt, seenAt: startedAt });
    expect(await waitForClaim(deps(table.doc))).toEqual({ ended: 'lifetime-over' });
    expect(table.current()?.state).toBe('RETIRED');
  });

  it('stops when no record of it appears (its refill failed after RunTask)', async () => {
    let clock = Date.now();
    const table = fakeTable(undefined, (_n, r) => {
      clock += 5_000;
      return r;
    });
    expect(await waitForClaim(deps(table.doc, () => new Date(clock)))).toEqual({ ended: 'unrecorded' });
    expect(clock).toBeGreaterThan(Date.now() + WARM_CONTROLLER_UNRECORDED_SECONDS * 1000 - 10_000);
  });

  it('stops when told to', async () => {
    const stop = new AbortController();
    const table = fakeTable({ taskArn: TASK, state: 'STARTING', startedAt: new Date().toISOString() }, (reads, r) => {
      if (reads === 3) stop.abort();
      return r;
    });
    expect(await waitForClaim({ ...deps(table.doc), stopSignal: stop.signal })).toEqual({ ended: 'stopped' });
  });
});
