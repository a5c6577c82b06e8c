import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { accountCommands, CommandFlow, type StoredCommand } from '#harness/faults';

const SESSION = 'a0b1c2d3-0000-4000-8000-000000000001';
const documents = mockClient(DynamoDBDocumentClient);

afterEach(() => documents.reset());

function record(commandId: string, fields: Partial<StoredCommand>): StoredCommand {
  return { sessionId: SESSION, commandId, command: { type: 'STOP_MEDIA' }, status: 'QUEUED', acceptedAt: '2026-12-03T07:00:00.000Z', ...fields };
}

describe('accountCommands', () => {
  it('counts each accepted command by what its record says, and the records of refused requests', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          record('applied', { status: 'APPLIED', attempts: 1, attemptsStarted: 1 }),
          record('retried', { status: 'APPLIED', attempts: 3, attemptsStarted: 3, transientFailures: 2 }),
          record('twice', { status: 'APPLIED', attempts: 2, attemptsStarted: 2, attemptedBy: new Set(['controller-a']) }),
          record('after-loss', { status: 'APPLIED', attempts: 2, attemptsStarted: 2, attemptedBy: new Set(['controller-a', 'controller-b']) }),
          record('failed', { status: 'FAILED', reason: 'gave up' }),
        ],
        LastEvaluatedKey: { pk: 'x', sk: 'y' },
      })
      .resolvesOnce({
        Items: [
          record('silent', { status: 'FAILED' }),
          record('waiting', { status: 'QUEUED' }),
          record('refused-failed', { status: 'FAILED', reason: 'The command could not be queued.' }),
          record('refused-applied', { status: 'APPLIED' }),
          record('play', { status: 'APPLIED' }),
        ],
      });
    const account = await accountCommands(new DynamoDBClient({ region: 'us-east-1' }), SESSION, ['applied', 'retried', 'twice', 'after-loss', 'failed', 'silent', 'waiting', 'gone'], ['play']);
    expect(account).toMatchObject({
      accepted: 8,
      applied: 4,
      failed: 1,
      failedWithoutReason: 1,
      leftQueued: 1,
      lost: 1,
      appliedTwice: 1,
      reappliedAfterLoss: 1,
      refusedButApplied: 1,
    });
    expect(documents.commandCalls(QueryCommand)[1]!.args[0].input).toMatchObject({ ExclusiveStartKey: { pk: 'x', sk: 'y' }, ConsistentRead: true });
  });
});

describe('CommandFlow', () => {
  it('posts bursts until stopped and keeps every answer: accepted ids, refusals with their code, no answer at all', async () => {
    let n = 0;
    const flow = new CommandFlow(
      async () => {
        n += 1;
        if (n % 3 === 0) throw new TypeError('fetch failed');
        return n % 3 === 1 ? { status: 202, body: { commandId: `c${n}` } } : { status: 500, body: { code: 'INTERNAL_ERROR' } };
      },
      { intervalMs: 1, burst: 3 },
    ).start();
    await expect.poll(() => flow.posted.length).toBeGreaterThanOrEqual(6);
    const posted = await flow.stop();
    expect(posted.length % 3).toBe(0);
    expect(flow.accepted.length).toBe(posted.length / 3);
    expect(posted.filter((p) => p.code === 'INTERNAL_ERROR').length).toBe(posted.length / 3);
    expect(posted.filter((p) => p.code === 'TypeError').length).toBe(posted.length / 3);
  });
});
