import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { handler } from '../../../../functions/events/warm-pool.ts';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { WARM_POOL_PARTITION, sessionKey, type SessionRecord } from '#contract/index';
import { SESSION_ID, TASK_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);

/** The schedule's event, as EventBridge sends it to the pool's function. */
const scheduledEvent = {
  version: '0',
  id: 'c1b4a1f0-0000-4000-8000-000000000001',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-03T07:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/shelcaster-warm-pool-refill'],
  detail: {},
};

/** The pool's records (by task ARN) and the pool tasks ECS runs: a small fake of the table and the cluster. */
let records: Map<string, Record<string, unknown>>;
let running: Set<string>;
let recordWritesToFail: number;

beforeEach(() => {
  documents.reset();
  ecs.reset();
  records = new Map();
  running = new Set();
  recordWritesToFail = 0;
  let tasks = 0;
  ecs.on(RunTaskCommand).callsFake(() => {
    const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/pool${++tasks}`;
    running.add(taskArn);
    return { tasks: [{ taskArn }], failures: [] };
  });
  ecs.on(ListTasksCommand).callsFake(() => ({ taskArns: [...running] }));
  ecs.on(StopTaskCommand).callsFake((input: { task: string }) => (running.delete(input.task), {}));
  documents.on(QueryCommand).callsFake(() => ({ Items: [...records.values()] }));
  documents.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    const taskArn = input.Item.taskArn as string | undefined;
    if (taskArn === undefined) return {}; // the refill's lease
    if (recordWritesToFail-- > 0) throw Object.assign(new Error('The service is unavailable.'), { name: 'ServiceUnavailable', $fault: 'server' });
    if (records.has(taskArn)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    records.set(taskArn, input.Item);
    return {};
  });
  documents.on(DeleteCommand).resolves({});
  documents.on(UpdateCommand).resolves({});
});

describe('Function: warm-pool, retried as Lambda retries a failed asynchronous invocation', () => {
  it('a refill that ran a controller and failed to record it is retried without a second controller, and records the first', async () => {
    recordWritesToFail = 1;
    await expect(handler(scheduledEvent, lambdaContext)).rejects.toThrow('The service is unavailable.');
    expect(running.size).toBe(1);
    expect(records.size).toBe(0);

    // Lambda's retry of the same event (1 minute later).
    await handler(scheduledEvent, lambdaContext);

    // The pool's size is 1 (WARM_POOL_SIZE of the test environment): one controller, and it is recorded.
    expect([...running]).toEqual([...records.keys()]);
    expect(running.size).toBe(1);
    expect(records.values().next().value).toMatchObject({ state: 'STARTING' });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('is a no-op when retried after it succeeded (the pool is full)', async () => {
    await handler(scheduledEvent, lambdaContext);
    await handler(scheduledEvent, lambdaContext);
    expect(running.size).toBe(1);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });
});

describe('Function: warm-pool, a claimed controller that stopped', () => {
  const claimedRecord = (taskArn: string, sessionId: string) => ({
    pk: WARM_POOL_PARTITION,
    sk: `TASK#${taskArn}`,
    taskArn,
    state: 'CLAIMED',
    startedAt: new Date().toISOString(),
    assignment: { sessionId, stageArn: 'arn:aws:ivs:us-east-1:123456789012:stage/s', queueUrl: 'https://sqs/q', generation: 0 },
  });
  const OTHER_SESSION = '6c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
  const OTHER_TASK = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/moved-on';

  it.each<[string, Partial<SessionRecord> | undefined, boolean]>([
    ['kept while its session, active, still names it (controller-stopped finds the session by it)', { status: 'STARTING' }, true],
    ['forgotten once its session names another controller', { taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/replacement' }, false],
    ['forgotten once its session ended', { status: 'ENDED' }, false],
    ['forgotten when its session is gone', undefined, false],
  ])('is %s', async (_case, session, kept) => {
    records.set(TASK_ARN, claimedRecord(TASK_ARN, SESSION_ID));
    records.set(OTHER_TASK, claimedRecord(OTHER_TASK, OTHER_SESSION));
    documents.on(GetCommand).resolves({});
    if (session) documents.on(GetCommand, { Key: sessionKey(SESSION_ID) }).resolves({ Item: sessionItem({ taskArn: TASK_ARN, ...session }) });
    documents.on(GetCommand, { Key: sessionKey(OTHER_SESSION) }).resolves({ Item: sessionItem({ sessionId: OTHER_SESSION, taskArn: 'x' }) });

    await handler(scheduledEvent, lambdaContext);

    const forgotten = documents.commandCalls(DeleteCommand).map((call) => call.args[0].input.Key?.sk);
    expect(forgotten).toContain(`TASK#${OTHER_TASK}`);
    expect(forgotten.includes(`TASK#${TASK_ARN}`)).toBe(!kept);
  });
});
