/**
 * Faults on purpose (issue 15, item 12), against one real local cloud with a live show and commands flowing:
 * a DynamoDB outage and an SQS outage, each a few seconds long, injected through the local cloud's fault
 * endpoint (`/_local/faults`). After each: the show is still LIVE in the same execution with the same
 * controller, and every command the API accepted is APPLIED exactly once or FAILED with a reason, none left
 * QUEUED; a command the API refused during the outage was either never recorded or recorded FAILED with the
 * reason, never applied.
 *
 * So that the outage finds commands waiting in the queue (not only on their way in), the controller is
 * paused (SIGSTOP) while a few commands are accepted, and let go once the outage is set.
 *
 * Everything is counted from what the system recorded: the command records (status, reason, the receive
 * count `attempts`, `attemptsStarted`, `appliedAt`), the outage window as the local cloud holds it, and the
 * execution history.
 *
 * Then a crash: the API's function dies between recording a command and sending it (a `killCaller` fault at
 * its SendMessage). The host's retry with the same Idempotency-Key gets the same command, applied once. And the
 * same for a start: the API's function dies at its StartExecution, after writing the session's record and
 * taking its slots; the retry with the same Idempotency-Key completes that start: one session, LIVE, one
 * execution, one slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  ACCOUNT_LIVE_SLOTS_KEY,
  FUNCTION_NAMES,
  hostLiveSlotsKey,
  MAX_LIVE_SESSIONS_PER_HOST,
  SESSION_START_ABANDONED_SECONDS,
  SESSIONS_BY_HOST_INDEX,
  SESSIONS_TABLE_NAME,
  sessionKey,
  type SessionsTableKey,
} from '#contract/index';
import { eventually } from '#harness/eventually';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { SessionApi } from '#harness/session-api';
import { awsClients, controllerLogLines, enteredStates, executionHistory, runningController, sessionRecord, type AwsClients } from '#harness/system-session';
import {
  CommandFlow,
  commandRecords,
  injectFaults,
  listFaults,
  losses,
  NO_LOSSES,
  settledAccount,
  type ActiveFault,
  type FaultSpec,
  type PostCommand,
} from '#harness/faults';

const HOST = 'host-faults';
/** Longer than the queue's visibility timeout (COMMAND_VISIBILITY_TIMEOUT_SECONDS, 4 s): a command released by a failed try would be received again within it. */
const OUTAGE_SECONDS = 8;
/** Commands accepted while the controller is paused: all of them wait in the queue when the outage begins. */
const WAITING_COMMANDS = 4;

let cloud: RunningLocalCloud;
let host: SessionApi;
let aws: AwsClients;

beforeAll(async () => {
  cloud = await startLocalCloud();
  host = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
  aws = awsClients(cloud);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

interface Outcome {
  sessionId: string;
  outage: { from: number; until: number };
  waiting: string[];
  flow: CommandFlow;
  controllerPid: number;
  executionArn: string;
}

/** A live show, commands waiting in its queue when `fault` (an outage) begins, and commands flowing through it until after it. */
async function showThrough(fault: FaultSpec, title: string): Promise<Outcome> {
  const { sessionId, executionArn } = await host.createSession(title);
  await host.waitLive(sessionId, 90_000);
  const post: PostCommand = (command) => host.request('POST', `/sessions/${sessionId}/commands`, command);
  const controller = await runningController(aws.ecs, sessionId);
  const waiting: string[] = [];
  let held: ActiveFault;
  process.kill(controller.pid, 'SIGSTOP');
  try {
    for (let i = 0; i < WAITING_COMMANDS; i++) {
      const answer = await post({ type: 'SET_VOLUME', volume: 0.3 + i / 10 });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      waiting.push(answer.body.commandId as string);
    }
    [held] = (await injectFaults(cloud.awsEndpoint, [fault])) as [ActiveFault];
  } finally {
    process.kill(controller.pid, 'SIGCONT');
  }
  const outage = { from: Date.parse(held.outage!.from), until: Date.parse(held.outage!.until) };
  const flow = new CommandFlow(post, { intervalMs: 500, burst: 2 }).start();
  // Until the API has accepted a few commands again after the outage.
  await expect
    .poll(() => flow.posted.filter((p) => p.commandId && p.sentAt > outage.until).length, { timeout: (OUTAGE_SECONDS + 60) * 1000, interval: 250 })
    .toBeGreaterThanOrEqual(4);
  await flow.stop();
  return { sessionId, outage, waiting, flow, controllerPid: controller.pid, executionArn };
}

/** The show after the fault: LIVE, its execution running and never left OnAir, the same controller. */
async function expectStillOnAir(outcome: Outcome): Promise<void> {
  expect((await host.session(outcome.sessionId)).status).toBe('LIVE');
  expect((await aws.sfn.send(new DescribeExecutionCommand({ executionArn: outcome.executionArn }))).status).toBe('RUNNING');
  const since = enteredStates(await executionHistory(aws.sfn, outcome.executionArn)).filter((s) => s.at.getTime() >= outcome.outage.from);
  expect(since.map((s) => s.name)).toEqual([]);
  expect((await runningController(aws.ecs, outcome.sessionId)).pid).toBe(outcome.controllerPid);
}

async function end(sessionId: string): Promise<void> {
  await host.request('DELETE', `/sessions/${sessionId}`);
  await host.waitOver(sessionId, 90_000);
}

describe('Faults on purpose, mid-show with commands flowing', () => {
  it('a DynamoDB outage: the commands waiting are applied once it is over, each received once; none lost, none twice, none QUEUED', async () => {
    const outcome = await showThrough({ service: 'dynamodb', outage: { seconds: OUTAGE_SECONDS } }, 'DynamoDB outage');
    const refused = outcome.flow.posted.filter((p) => p.status !== 202);
    // While DynamoDB is out, the API cannot record a command: it refuses it (5xx), and nothing is left behind.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((p) => p.status >= 500)).toBe(true);

    const account = await settledAccount(aws.dynamodb, outcome.sessionId, [...outcome.waiting, ...outcome.flow.accepted], 90_000);
    expect(losses(account)).toEqual(NO_LOSSES);
    expect(account.applied).toBe(account.accepted);
    // The commands that waited: held by the controller through the outage (received once: the outage used up
    // none of the receives that lead to the dead-letter queue), begun once, applied after it, in order.
    const waited = outcome.waiting.map((id) => account.records.get(id)!);
    for (const record of waited) {
      expect(record).toMatchObject({ status: 'APPLIED', attempts: 1, attemptsStarted: 1 });
      // Begun by the controller that recorded the result, and by no other.
      expect(record.attemptedBy).toEqual(new Set([record.appliedBy]));
      expect(Date.parse(record.appliedAt!)).toBeGreaterThanOrEqual(outcome.outage.until);
    }
    const appliedAt = waited.map((r) => Date.parse(r.appliedAt!));
    expect(appliedAt).toEqual([...appliedAt].sort((a, b) => a - b));

    await expectStillOnAir(outcome);
    await end(outcome.sessionId);
  }, 300_000);

  it('an SQS outage: commands refused meanwhile are recorded FAILED with the reason, the waiting ones applied after it; none lost, none twice, none QUEUED', async () => {
    const outcome = await showThrough({ service: 'sqs', outage: { seconds: OUTAGE_SECONDS } }, 'SQS outage');
    const refused = outcome.flow.posted.filter((p) => p.status !== 202);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((p) => p.status >= 500)).toBe(true);

    const accepted = [...outcome.waiting, ...outcome.flow.accepted];
    const account = await settledAccount(aws.dynamodb, outcome.sessionId, accepted, 90_000);
    expect(losses(account)).toEqual(NO_LOSSES);
    expect(account.applied).toBe(account.accepted);
    for (const id of outcome.waiting) expect(account.records.get(id)).toMatchObject({ status: 'APPLIED', attemptsStarted: 1 });

    // The API recorded each refused command before SendMessage failed, and then recorded it FAILED with why.
    const others = (await commandRecords(aws.dynamodb, outcome.sessionId)).filter((r) => !accepted.includes(r.commandId));
    expect(others.length).toBe(refused.length);
    for (const record of others) expect(record).toMatchObject({ status: 'FAILED', reason: 'The command could not be queued.' });

    await expectStillOnAir(outcome);
    await end(outcome.sessionId);
  }, 300_000);
});

/** The function's invocation ended as a crashed runtime since `startedAt`. */
async function expectCrashLogged(functionName: string, startedAt: number): Promise<void> {
  const crash = await aws.logs.send(
    new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, startTime: startedAt, filterPattern: '"Runtime.ExitError"' }),
  );
  expect(crash.events?.length).toBeGreaterThan(0);
}

/**
 * Sends a request again until the dead attempt's hold on its Idempotency-Key is over (Powertools' in-progress
 * expiry: its start plus the function's timeout), each 409 CONFLICT meanwhile carrying Retry-After; expects
 * the answer that gets through to be 202 and returns it.
 */
async function retryThroughHold(post: () => ReturnType<SessionApi['request']>): ReturnType<SessionApi['request']> {
  const refusals: unknown[] = [];
  const retried = await eventually(
    async () => {
      const answer = await post();
      if (answer.status !== 409) return answer;
      refusals.push({ code: answer.body.code, retryAfter: answer.headers.get('retry-after') });
      return undefined;
    },
    60_000,
    'the retry to get through',
    500,
  );
  expect(retried.status, JSON.stringify(retried.body)).toBe(202);
  for (const refusal of refusals) expect(refusal).toEqual({ code: 'CONFLICT', retryAfter: expect.stringMatching(/^[1-9][0-9]*$/) });
  return retried;
}

describe('A crash of the API between recording a command and sending it', () => {
  it('the retry with the same Idempotency-Key gets the same command, applied once; none left QUEUED', async () => {
    const { sessionId } = await host.createSession('Crash before SendMessage');
    await host.waitLive(sessionId, 90_000);
    const startedAt = Date.now();
    await injectFaults(cloud.awsEndpoint, [{ service: 'sqs', operation: 'SendMessage', killCaller: { functionName: FUNCTION_NAMES.enqueueCommand } }]);
    const post = () => host.request('POST', `/sessions/${sessionId}/commands`, { type: 'SET_VOLUME', volume: 0.42 }, { 'idempotency-key': 'crash-1' });

    // The function died at SendMessage: API Gateway's answer to a crashed integration.
    const crashed = await post();
    expect([crashed.status, crashed.body]).toEqual([500, { message: 'Internal Server Error' }]);
    expect(await listFaults(cloud.awsEndpoint)).toEqual([]);
    await expectCrashLogged(FUNCTION_NAMES.enqueueCommand, startedAt);

    const retried = await retryThroughHold(post);
    const commandId = retried.body.commandId as string;
    // One record only (the dead attempt's, taken over), applied once; a further retry answers it as it is.
    const account = await settledAccount(aws.dynamodb, sessionId, [commandId], 60_000);
    expect(losses(account)).toEqual(NO_LOSSES);
    expect(await commandRecords(aws.dynamodb, sessionId)).toEqual([expect.objectContaining({ commandId, status: 'APPLIED', attempts: 1, attemptsStarted: 1 })]);
    const finished = (await controllerLogLines(aws.logs, sessionId, startedAt)).filter((l) => l.message === 'Command finished' && l.commandId === commandId);
    expect(finished).toHaveLength(1);
    const again = await post();
    expect([again.status, again.body.commandId]).toEqual([202, commandId]);

    await end(sessionId);
  }, 300_000);
});

describe('A crash of the API between writing a session and starting its execution', () => {
  /** A host of its own, so that its sessions and slots are this test's only. */
  const STARTER = 'host-crash-start';
  const doc = () => DynamoDBDocumentClient.from(aws.dynamodb);
  const hostSessions = async (hostId = STARTER) =>
    (
      await doc().send(
        new QueryCommand({ TableName: SESSIONS_TABLE_NAME, IndexName: SESSIONS_BY_HOST_INDEX, KeyConditionExpression: 'hostId = :h', ExpressionAttributeValues: { ':h': hostId } }),
      )
    ).Items ?? [];
  const slots = async (key: SessionsTableKey) => {
    const { Item } = await doc().send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: key, ConsistentRead: true }));
    return [...((Item?.sessionIds as Set<string> | undefined) ?? [])];
  };

  it('the retry with the same Idempotency-Key completes the start: one session, LIVE, one execution, its slots held once', async () => {
    const starter = new SessionApi(cloud, await localToken(cloud.dataDir, STARTER));
    const startedAt = Date.now();
    await injectFaults(cloud.awsEndpoint, [{ service: 'states', operation: 'StartExecution', killCaller: { functionName: FUNCTION_NAMES.createSession } }]);
    const post = () => starter.request('POST', '/sessions', { title: 'Crash before StartExecution' }, { 'idempotency-key': 'start-crash-1' });

    // The function died at StartExecution: the record it wrote is STARTING, with its slots, and no execution.
    const crashed = await post();
    expect([crashed.status, crashed.body]).toEqual([500, { message: 'Internal Server Error' }]);
    expect(await listFaults(cloud.awsEndpoint)).toEqual([]);
    await expectCrashLogged(FUNCTION_NAMES.createSession, startedAt);
    const [left, ...more] = await hostSessions();
    expect(more).toEqual([]);
    expect(left).toMatchObject({ status: 'STARTING' });
    const sessionId = left!.sessionId as string;
    await expect(aws.sfn.send(new DescribeExecutionCommand({ executionArn: left!.executionArn as string }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect(await slots(hostLiveSlotsKey(STARTER))).toEqual([sessionId]);

    const retried = await retryThroughHold(post);
    expect(retried.body).toEqual({ sessionId, executionArn: left!.executionArn, status: 'STARTING' });

    await starter.waitLive(sessionId, 90_000);
    expect((await aws.sfn.send(new DescribeExecutionCommand({ executionArn: left!.executionArn as string }))).status).toBe('RUNNING');
    expect((await hostSessions()).map((s) => s.sessionId)).toEqual([sessionId]);
    expect(await slots(hostLiveSlotsKey(STARTER))).toEqual([sessionId]);
    expect((await slots(ACCOUNT_LIVE_SLOTS_KEY)).filter((id) => id === sessionId)).toHaveLength(1);
    // A further retry answers the session as it is.
    const again = await post();
    expect([again.status, again.body.sessionId]).toEqual([202, sessionId]);

    await starter.request('DELETE', `/sessions/${sessionId}`);
    await starter.waitOver(sessionId, 90_000);
    expect(await slots(hostLiveSlotsKey(STARTER))).toEqual([]);
  }, 300_000);

  it('without a key, the sessions the crashes left STARTING hold their slots until a start finds them full, which records them FAILED and goes on', async () => {
    const HOST = 'host-abandoned-start';
    const api = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
    await injectFaults(cloud.awsEndpoint, [
      { service: 'states', operation: 'StartExecution', killCaller: { functionName: FUNCTION_NAMES.createSession, times: MAX_LIVE_SESSIONS_PER_HOST } },
    ]);
    for (let i = 0; i < MAX_LIVE_SESSIONS_PER_HOST; i++) {
      const crashed = await api.request('POST', '/sessions', { title: `Abandoned ${i}` });
      expect(crashed.status).toBe(500);
    }
    const abandoned = (await hostSessions(HOST)).map((s) => s.sessionId as string).sort();
    expect(abandoned).toHaveLength(MAX_LIVE_SESSIONS_PER_HOST);
    expect((await slots(hostLiveSlotsKey(HOST))).sort()).toEqual(abandoned);

    // While a dead attempt could still be running, its session keeps its slot: the host is refused.
    const refused = await api.request('POST', '/sessions', { title: 'Too soon' });
    expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);

    // As if the crashes were SESSION_START_ABANDONED_SECONDS ago (the test does not wait a minute): their
    // records' attempt times set back; the rest (no execution, the slots, the statuses) is as the crashes left it.
    const longAgo = new Date(Date.now() - (SESSION_START_ABANDONED_SECONDS + 5) * 1000).toISOString();
    for (const id of abandoned) {
      await doc().send(
        new UpdateCommand({
          TableName: SESSIONS_TABLE_NAME,
          Key: sessionKey(id),
          UpdateExpression: 'SET createdAt = :t, startAttemptAt = :t',
          ExpressionAttributeValues: { ':t': longAgo },
        }),
      );
    }
    const { sessionId } = await api.createSession('After the crashes');
    for (const id of abandoned) {
      expect(await sessionRecord(aws.dynamodb, id)).toMatchObject({ status: 'FAILED', reason: 'STEP_FAILED', reasonDetail: 'The session lifecycle was never started.' });
    }
    expect(await slots(hostLiveSlotsKey(HOST))).toEqual([sessionId]);

    await api.waitLive(sessionId, 90_000);
    await api.request('DELETE', `/sessions/${sessionId}`);
    await api.waitOver(sessionId, 90_000);
  }, 300_000);
});
