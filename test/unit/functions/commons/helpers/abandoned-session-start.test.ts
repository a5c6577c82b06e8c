import '#test/unit/functions/support/env';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { functionSpec, SESSION_START_ABANDONED_SECONDS, sessionKey, type SessionRecord } from '#contract/index';
import { ABANDONED_START_DETAIL, failAbandonedStart } from '#helpers/abandoned-session-start';
import { fakeRateItems } from '#test/unit/functions/support/rate-items';
import { sessionItem } from '#test/unit/functions/support/sessions';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const TABLE = 'shelcaster-sessions';
const NOW = Date.parse('2026-11-24T09:00:00.000Z');
const LONG_AGO = new Date(NOW - (SESSION_START_ABANDONED_SECONDS + 1) * 1000).toISOString();
const JUST_NOW = new Date(NOW - (SESSION_START_ABANDONED_SECONDS - 1) * 1000).toISOString();

let items: ReturnType<typeof fakeRateItems>;
const put = (overrides: Partial<SessionRecord>) => {
  const item = sessionItem(overrides);
  items.set(`${item.pk}|${item.sk}`, item);
  return item as unknown as SessionRecord;
};
const stored = (record: SessionRecord) => items.get(`${sessionKey(record.sessionId).pk}|SESSION`);
const noExecution = () => sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

beforeEach(() => {
  documents.reset();
  sfn.reset();
  items = fakeRateItems(documents);
});

describe('Helper: failAbandonedStart', () => {
  it('lasts longer than any attempt of shelcaster-create-session can live', () => {
    expect(SESSION_START_ABANDONED_SECONDS).toBeGreaterThan(functionSpec('createSession').timeoutSeconds);
  });

  it.each([
    ['STARTING, its last attempt long gone', { status: 'STARTING', startAttemptAt: LONG_AGO }],
    ['ENDING (the host ended it), its last attempt long gone', { status: 'ENDING', endRequested: true, startAttemptAt: LONG_AGO }],
    ['STARTING, written before attempts were recorded', { status: 'STARTING', createdAt: LONG_AGO }],
  ] as const)('records FAILED a session %s with no execution', async (_case, overrides) => {
    const record = put({ createdAt: LONG_AGO, ...overrides });
    noExecution();

    expect(await failAbandonedStart(TABLE, record, NOW)).toBe(true);

    expect(stored(record)).toMatchObject({ status: 'FAILED', reason: 'STEP_FAILED', reasonDetail: ABANDONED_START_DETAIL, endedAt: new Date(NOW).toISOString() });
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, { executionArn: record.executionArn });
  });

  it('leaves alone a session whose last attempt may still be running, without asking Step Functions', async () => {
    const record = put({ status: 'STARTING', createdAt: LONG_AGO, startAttemptAt: JUST_NOW });

    expect(await failAbandonedStart(TABLE, record, NOW)).toBe(false);

    expect(stored(record)?.status).toBe('STARTING');
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('leaves alone a session STARTING whose execution runs (a slow start)', async () => {
    const record = put({ status: 'STARTING', startAttemptAt: LONG_AGO });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    expect(await failAbandonedStart(TABLE, record, NOW)).toBe(false);

    expect(stored(record)?.status).toBe('STARTING');
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
  });

  it.each([['LIVE'], ['ENDED'], ['FAILED']] as const)('leaves alone a session %s', async (status) => {
    const record = put({ status, startAttemptAt: LONG_AGO });

    expect(await failAbandonedStart(TABLE, record, NOW)).toBe(false);

    expect(stored(record)?.status).toBe(status);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('gives way to a retry that took the start over after the session was read', async () => {
    const record = put({ status: 'STARTING', startAttemptAt: LONG_AGO });
    sfn.on(DescribeExecutionCommand).callsFake(() => {
      // The retry's claim (sessions-repository's claimSessionStart) lands between the read and the update.
      put({ status: 'STARTING', startAttemptAt: new Date(NOW).toISOString() });
      throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
    });

    expect(await failAbandonedStart(TABLE, record, NOW)).toBe(false);

    expect(stored(record)?.status).toBe('STARTING');
  });
});
