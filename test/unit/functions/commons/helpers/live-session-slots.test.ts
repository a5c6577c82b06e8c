import '#test/unit/functions/support/env';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ACCOUNT_LIVE_SLOTS_KEY, hostLiveSlotsKey, SESSION_START_ABANDONED_SECONDS, sessionKey } from '#contract/index';
import { releaseLiveSessionSlot, takeLiveSessionSlot } from '#helpers/live-session-slots';
import { fakeRateItems } from '#test/unit/functions/support/rate-items';
import { HOST_ID, sessionItem } from '#test/unit/functions/support/sessions';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const TABLE = 'shelcaster-sessions';
const MAX = 3;
const HOST_SLOTS = hostLiveSlotsKey(HOST_ID);

let items: ReturnType<typeof fakeRateItems>;
const slotsHeld = () => [...((items.get(`RATE#HOST#${HOST_ID}|LIVE`)?.sessionIds as Set<string> | undefined) ?? [])].sort();
const putSession = (sessionId: string, status: 'LIVE' | 'ENDED' | 'FAILED') => {
  const key = sessionKey(sessionId);
  items.set(`${key.pk}|${key.sk}`, sessionItem({ sessionId, status }));
};

beforeEach(() => {
  documents.reset();
  sfn.reset();
  items = fakeRateItems(documents);
});

describe('Helper: live-session slots', () => {
  it('gives a host as many slots as the limit and refuses the next one without writing', async () => {
    for (const id of ['s-1', 's-2', 's-3']) {
      putSession(id, 'LIVE');
      expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX)).toBe(true);
    }

    expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-4', MAX)).toBe(false);
    expect(slotsHeld()).toEqual(['s-1', 's-2', 's-3']);
  });

  it('takes a slot with one conditional ADD to the host item', async () => {
    await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-1', MAX);

    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      Key: HOST_SLOTS,
      UpdateExpression: 'ADD sessionIds :ids',
      ExpressionAttributeValues: { ':ids': new Set(['s-1']), ':max': MAX, ':id': 's-1' },
    });
  });

  it('frees a slot when a session is released, and releasing twice is harmless', async () => {
    for (const id of ['s-1', 's-2', 's-3']) await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX);
    for (const id of ['s-1', 's-2', 's-3']) putSession(id, 'LIVE');

    await releaseLiveSessionSlot(TABLE, HOST_SLOTS, 's-2');
    await releaseLiveSessionSlot(TABLE, HOST_SLOTS, 's-2');

    expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-4', MAX)).toBe(true);
    expect(slotsHeld()).toEqual(['s-1', 's-3', 's-4']);
  });

  it('drops sessions that ended, failed or have no record when the slots are full, then takes one', async () => {
    for (const id of ['s-1', 's-2', 's-3']) await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX);
    putSession('s-1', 'ENDED');
    putSession('s-2', 'LIVE');
    // s-3 has no record (its start failed before the record was written)

    expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-4', MAX)).toBe(true);
    expect(slotsHeld()).toEqual(['s-2', 's-4']);
  });

  it('keeps the account slots apart from the host slots', async () => {
    for (const id of ['s-1', 's-2', 's-3']) {
      putSession(id, 'LIVE');
      expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX)).toBe(true);
    }
    putSession('s-4', 'LIVE');

    expect(await takeLiveSessionSlot(TABLE, ACCOUNT_LIVE_SLOTS_KEY, 's-4', MAX)).toBe(true);
    expect(items.get('RATE#ACCOUNT|LIVE')?.sessionIds).toEqual(new Set(['s-4']));
    expect(slotsHeld()).toEqual(['s-1', 's-2', 's-3']);
  });

  it('takes the same session twice as one slot (a retried start)', async () => {
    for (const id of ['s-1', 's-2', 's-3']) {
      putSession(id, 'LIVE');
      await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX);
    }

    expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-3', MAX)).toBe(true);
    expect(slotsHeld()).toEqual(['s-1', 's-2', 's-3']);
  });

  it('records FAILED and drops a start abandoned before its execution when the slots are full; a slow start keeps its slot', async () => {
    const longAgo = new Date(Date.now() - (SESSION_START_ABANDONED_SECONDS + 5) * 1000).toISOString();
    for (const id of ['s-1', 's-2', 's-3']) await takeLiveSessionSlot(TABLE, HOST_SLOTS, id, MAX);
    putSession('s-1', 'LIVE');
    for (const id of ['s-2', 's-3']) items.set(`${sessionKey(id).pk}|SESSION`, sessionItem({ sessionId: id, status: 'STARTING', createdAt: longAgo, startAttemptAt: longAgo, executionArn: `arn:aws:states:us-east-1:123456789012:execution:shelcaster-session-lifecycle:${id}` }));
    // s-2's request died before StartExecution; s-3's execution runs (a start that takes long).
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      if (input.executionArn.endsWith(':s-2')) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
      return { status: 'RUNNING' };
    });

    expect(await takeLiveSessionSlot(TABLE, HOST_SLOTS, 's-4', MAX)).toBe(true);
    expect(slotsHeld()).toEqual(['s-1', 's-3', 's-4']);
    expect(items.get(`${sessionKey('s-2').pk}|SESSION`)).toMatchObject({ status: 'FAILED', reason: 'STEP_FAILED' });
    expect(items.get(`${sessionKey('s-3').pk}|SESSION`)?.status).toBe('STARTING');
  });
});
