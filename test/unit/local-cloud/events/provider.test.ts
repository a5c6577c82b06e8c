import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionInvoker, InvokeResult } from '#local-cloud/gateway/internal';
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { EventsProvider, type DeliveryFailure } from '#local-cloud/services/events/provider';
import { InvalidScheduleExpressionError, schedulePeriodMs } from '#local-cloud/services/events/schedule-expression';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:recorder';

class RecordingInvoker implements FunctionInvoker {
  readonly calls: { name: string; payload: unknown; type: string | undefined }[] = [];
  async invoke(name: string, payload: unknown, type?: 'RequestResponse' | 'Event'): Promise<InvokeResult> {
    if (name.endsWith(':missing')) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${name}`, 404);
    this.calls.push({ name, payload, type });
    return { payload: undefined };
  }
}

function request(operation: string, body: object): AwsRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': `AWSEvents.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
    region: 'us-east-1',
    url: new URL('http://127.0.0.1/'),
  };
}

async function call(provider: EventsProvider, operation: string, body: object) {
  const response = await provider.handle(request(operation, body));
  return { status: response.status, body: JSON.parse(String(response.body)) as Record<string, unknown> };
}

const PATTERN = JSON.stringify({ source: ['shelcaster.test'], detail: { kind: ['ping'] } });

describe('EventsProvider', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  function start(dataDir?: string) {
    const invoker = new RecordingInvoker();
    const failures: DeliveryFailure[] = [];
    const provider = new EventsProvider({ invoker, dataDir, onDeliveryFailure: (failure) => failures.push(failure) });
    return { provider, invoker, failures };
  }

  it('delivers at least once and in any order when asked to, as AWS does: duplicates and overtaking events', async () => {
    const invoker = new RecordingInvoker();
    // Fixed draws: the first event is duplicated and delayed longest, the second goes at once.
    const draws = [0.1, 0.9, 0.5, 0.9, 0];
    const provider = new EventsProvider({ invoker, delivery: { duplicateRate: 0.2, maxDelayMs: 40, random: () => draws.shift() ?? 0 } });
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 'recorder', Arn: FUNCTION_ARN }] });
    await call(provider, 'PutEvents', { Entries: [{ Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"ping","n":1}' }] });
    await call(provider, 'PutEvents', { Entries: [{ Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"ping","n":2}' }] });
    await provider.drain();

    const delivered = invoker.calls.map((c) => (c.payload as { detail: { n: number } }).detail.n);
    expect(delivered).toEqual([2, 1, 1]);
    const ids = invoker.calls.filter((c) => (c.payload as { detail: { n: number } }).detail.n === 1).map((c) => (c.payload as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
  });

  it('delivers a matching PutEvents entry to the rule’s Lambda target as an Event invocation', async () => {
    const { provider, invoker } = start();
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 'recorder', Arn: FUNCTION_ARN }] });
    const put = await call(provider, 'PutEvents', {
      Entries: [
        { Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"ping","n":1}', Resources: ['r1'], Time: 1_700_000_000 },
        { Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"pong"}' },
      ],
    });
    expect(put.body.FailedEntryCount).toBe(0);
    const entries = put.body.Entries as { EventId: string }[];
    await provider.drain();
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0]).toMatchObject({
      name: FUNCTION_ARN,
      type: 'Event',
      payload: {
        version: '0',
        id: entries[0]!.EventId,
        source: 'shelcaster.test',
        'detail-type': 'Ping',
        account: '000000000000',
        region: 'us-east-1',
        time: '2023-11-14T22:13:20Z',
        resources: ['r1'],
        detail: { kind: 'ping', n: 1 },
      },
    });
  });

  it('honours Input, InputPath and InputTransformer', async () => {
    const { provider, invoker } = start();
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', {
      Rule: 'pings',
      Targets: [
        { Id: 'constant', Arn: `${FUNCTION_ARN}-a`, Input: '{"fixed":true}' },
        { Id: 'path', Arn: `${FUNCTION_ARN}-b`, InputPath: '$.detail' },
        { Id: 'template', Arn: `${FUNCTION_ARN}-c`, InputTransformer: { InputPathsMap: { n: '$.detail.n', s: '$.source' }, InputTemplate: '{"count": <n>, "from": "<s>"}' } },
      ],
    });
    await call(provider, 'PutEvents', { Entries: [{ Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"ping","n":7}' }] });
    await provider.drain();
    const byName = Object.fromEntries(invoker.calls.map((c) => [c.name.slice(-1), c.payload]));
    expect(byName).toEqual({ a: { fixed: true }, b: { kind: 'ping', n: 7 }, c: { count: 7, from: 'shelcaster.test' } });
  });

  it('does not deliver to disabled rules', async () => {
    const { provider, invoker } = start();
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN, State: 'DISABLED' });
    await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 't', Arn: FUNCTION_ARN }] });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await call(provider, 'EnableRule', { Name: 'pings' });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping', second: true } });
    await provider.drain();
    expect(invoker.calls.map((c) => (c.payload as { detail: object }).detail)).toEqual([{ kind: 'ping', second: true }]);
  });

  it('reports delivery failures without failing PutEvents', async () => {
    const { provider, failures } = start();
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', {
      Rule: 'pings',
      Targets: [
        { Id: 'gone', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:missing' },
        { Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
      ],
    });
    const put = await call(provider, 'PutEvents', { Entries: [{ Source: 'shelcaster.test', DetailType: 'Ping', Detail: '{"kind":"ping"}' }] });
    expect(put.body.FailedEntryCount).toBe(0);
    await provider.drain();
    expect(failures.map((f) => [f.targetId, f.reason.split(':')[0]]).sort()).toEqual([
      ['gone', 'ResourceNotFoundException'],
      ['queue', 'The local EventBridge delivers only to Lambda function targets.'],
    ]);
  });

  it('fails bad PutEvents entries one by one as AWS does', async () => {
    const { provider } = start();
    const put = await call(provider, 'PutEvents', {
      Entries: [
        { Source: 'aws.ecs', DetailType: 'x', Detail: '{}' },
        { Source: 'a', DetailType: 'x', Detail: 'not json' },
        { Source: 'a', Detail: '{}' },
        { Source: 'a', DetailType: 'x', Detail: '{}' },
      ],
    });
    expect(put.body.FailedEntryCount).toBe(3);
    expect((put.body.Entries as { ErrorCode?: string }[]).map((e) => e.ErrorCode)).toEqual([
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'InvalidArgument',
      undefined,
    ]);
  });

  it('answers the error shapes of the rules API', async () => {
    const { provider } = start();
    expect(await call(provider, 'PutRule', { Name: 'bad', EventPattern: '{"source":"x"}' })).toMatchObject({
      status: 400,
      body: { __type: 'InvalidEventPatternException' },
    });
    expect(await call(provider, 'DescribeRule', { Name: 'nope' })).toMatchObject({
      status: 400,
      body: { __type: 'ResourceNotFoundException', message: 'Rule nope does not exist on EventBus default.' },
    });
    await call(provider, 'PutRule', { Name: 'r', EventPattern: PATTERN });
    await call(provider, 'PutTargets', { Rule: 'r', Targets: [{ Id: 't', Arn: FUNCTION_ARN }] });
    expect(await call(provider, 'DeleteRule', { Name: 'r' })).toMatchObject({ body: { __type: 'ValidationException' } });
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: FUNCTION_ARN }));
    expect(await call(provider, 'PutTargets', { Rule: 'r', Targets: six })).toMatchObject({ body: { __type: 'LimitExceededException' } });
    expect(await call(provider, 'Frobnicate', {})).toMatchObject({ body: { __type: 'UnknownOperationException' } });
  });

  it('keeps rules and targets across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'events-'));
    directories.push(dataDir);
    const first = start(dataDir);
    await call(first.provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN, Description: 'ping rule' });
    await call(first.provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 't', Arn: FUNCTION_ARN }] });
    const second = start(dataDir);
    expect((await call(second.provider, 'DescribeRule', { Name: 'pings' })).body).toMatchObject({
      Name: 'pings',
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/pings',
      EventPattern: PATTERN,
      State: 'ENABLED',
      Description: 'ping rule',
    });
    await second.provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await second.provider.drain();
    expect(second.invoker.calls).toHaveLength(1);
  });

  it('lists rules by name prefix and removes targets', async () => {
    const { provider } = start();
    for (const name of ['shelcaster-a', 'shelcaster-b', 'other']) await call(provider, 'PutRule', { Name: name, EventPattern: PATTERN });
    const listed = await call(provider, 'ListRules', { NamePrefix: 'shelcaster-' });
    expect((listed.body.Rules as { Name: string }[]).map((r) => r.Name)).toEqual(['shelcaster-a', 'shelcaster-b']);
    await call(provider, 'PutTargets', { Rule: 'other', Targets: [{ Id: 'x', Arn: FUNCTION_ARN }, { Id: 'y', Arn: FUNCTION_ARN }] });
    await call(provider, 'RemoveTargets', { Rule: 'other', Ids: ['x'] });
    expect(((await call(provider, 'ListTargetsByRule', { Rule: 'other' })).body.Targets as { Id: string }[]).map((t) => t.Id)).toEqual(['y']);
  });
});

describe('Function: schedulePeriodMs', () => {
  it('reads rate expressions as EventBridge writes them', () => {
    expect(schedulePeriodMs('rate(1 minute)')).toBe(60_000);
    expect(schedulePeriodMs('rate(5 minutes)')).toBe(300_000);
    expect(schedulePeriodMs('rate(2 hours)')).toBe(7_200_000);
    expect(schedulePeriodMs('rate(1 day)')).toBe(86_400_000);
    expect(schedulePeriodMs('cron(0 12 * * ? *)')).toBeUndefined();
  });

  it('refuses what EventBridge refuses: a plural unit for 1, a singular one otherwise, 0, other units', () => {
    for (const bad of ['rate(1 minutes)', 'rate(2 minute)', 'rate(0 minutes)', 'rate(10 seconds)', 'every minute']) {
      expect(() => schedulePeriodMs(bad)).toThrow(InvalidScheduleExpressionError);
    }
  });
});

describe('EventsProvider: scheduled rules', () => {
  it("fires a rate rule's targets every period with a Scheduled Event, on the local clock", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 3, 4, 0, 0));
    const invoker = new RecordingInvoker();
    const provider = new EventsProvider({ invoker, clock });
    await call(provider, 'PutRule', { Name: 'refill', ScheduleExpression: 'rate(1 minute)' });
    await call(provider, 'PutTargets', { Rule: 'refill', Targets: [{ Id: 'refill', Arn: FUNCTION_ARN }] });

    await clock.advance(59_000);
    expect(invoker.calls).toHaveLength(0);
    await clock.advance(1_000);
    await provider.drain();
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0]).toMatchObject({
      type: 'Event',
      payload: {
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/refill'],
        time: '2026-12-03T04:01:00Z',
        detail: {},
      },
    });
    await clock.advance(120_000);
    await provider.drain();
    expect(invoker.calls).toHaveLength(3);
  });

  it('stops firing when the rule is disabled or deleted, and when schedules are stopped', async () => {
    const clock = new ManualClock();
    const invoker = new RecordingInvoker();
    const provider = new EventsProvider({ invoker, clock });
    await call(provider, 'PutRule', { Name: 'refill', ScheduleExpression: 'rate(1 minute)' });
    await call(provider, 'PutTargets', { Rule: 'refill', Targets: [{ Id: 'refill', Arn: FUNCTION_ARN }] });
    await call(provider, 'DisableRule', { Name: 'refill' });
    await clock.advance(180_000);
    expect(invoker.calls).toHaveLength(0);
    await call(provider, 'EnableRule', { Name: 'refill' });
    provider.stopSchedules();
    await clock.advance(180_000);
    expect(invoker.calls).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses an invalid schedule expression with ValidationException and stores nothing', async () => {
    const provider = new EventsProvider({ invoker: new RecordingInvoker(), clock: new ManualClock() });
    const answer = await call(provider, 'PutRule', { Name: 'bad', ScheduleExpression: 'rate(1 minutes)' });
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('ValidationException');
    expect((await call(provider, 'ListRules', {})).body.Rules).toEqual([]);
  });
});

/** A Lambda service that throttles the first `failures` invocations (as Lambda answers when it is throttling). */
class ThrottlingInvoker implements FunctionInvoker {
  readonly attempts: { name: string; eventId: string }[] = [];
  constructor(private failures: number) {}
  async invoke(name: string, payload: unknown): Promise<InvokeResult> {
    this.attempts.push({ name, eventId: (payload as { id: string }).id });
    if (name.endsWith(':missing')) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${name}`, 404);
    if (this.failures-- > 0) throw new AwsServiceError('TooManyRequestsException', 'Rate exceeded', 429);
    return { payload: undefined };
  }
}

describe('EventsProvider: retries of failed deliveries, as the target’s RetryPolicy says', () => {
  function start(failures: number) {
    const clock = new ManualClock();
    const invoker = new ThrottlingInvoker(failures);
    const failed: DeliveryFailure[] = [];
    const deadLetters: { queueArn: string; event: Record<string, unknown>; attributes: Record<string, string> }[] = [];
    const provider = new EventsProvider({
      invoker,
      clock,
      random: () => 0.5,
      onDeliveryFailure: (failure) => failed.push(failure),
      deadLetters: { send: async (queueArn, event, attributes) => void deadLetters.push({ queueArn, event, attributes }) },
    });
    /** Fires the next retry and lets it finish. */
    const nextRetry = async () => {
      await provider.drain();
      const [delay] = clock.pendingDelays;
      expect(delay).toBeDefined();
      await clock.advance(delay!);
      await provider.drain();
    };
    return { clock, invoker, failed, deadLetters, provider, nextRetry };
  }

  async function ruleWith(provider: EventsProvider, target: Record<string, unknown>) {
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    const put = await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 't', Arn: FUNCTION_ARN, ...target }] });
    expect(put.status).toBe(200);
  }

  it('retries a throttled invocation with growing back-off until it is delivered, the same event each time', async () => {
    const { provider, invoker, failed, clock, nextRetry } = start(2);
    await ruleWith(provider, { RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 } });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await provider.drain();
    expect(invoker.attempts).toHaveLength(1);
    expect(clock.pendingDelays).toEqual([750]);
    await nextRetry();
    expect(clock.pendingDelays).toEqual([1500]);
    await nextRetry();
    expect(invoker.attempts).toHaveLength(3);
    expect(new Set(invoker.attempts.map((a) => a.eventId)).size).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(failed).toEqual([]);
  });

  it('sends the event to the dead-letter queue with EventBridge’s attributes once MaximumRetryAttempts are used', async () => {
    const { provider, invoker, failed, deadLetters, nextRetry, clock } = start(99);
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:events-dlq';
    await ruleWith(provider, { RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: dlq } });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await nextRetry();
    await nextRetry();
    expect(invoker.attempts).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.queueArn).toBe(dlq);
    expect(deadLetters[0]!.event.id).toBe(invoker.attempts[0]!.eventId);
    expect(deadLetters[0]!.attributes).toEqual({
      ERROR_CODE: 'TooManyRequestsException',
      ERROR_MESSAGE: 'TooManyRequestsException: Rate exceeded',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/pings',
      TARGET_ARN: FUNCTION_ARN,
    });
    expect(failed.map((f) => [f.attempts, f.deadLetterArn])).toEqual([[3, dlq]]);
  });

  it('drops the event when its next retry would be older than MaximumEventAgeInSeconds (no dead-letter queue)', async () => {
    const { provider, invoker, failed, clock } = start(999);
    await ruleWith(provider, { RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 } });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await provider.drain();
    await clock.advance(3_600_000, async () => provider.drain());
    // Back-offs of 0.75, 1.5, 3, 6, 12, 24 s reach 47.25 s; the next (48 s) would end past 60 s.
    expect(invoker.attempts).toHaveLength(7);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ attempts: 7, reason: 'TooManyRequestsException: Rate exceeded' });
    expect(failed[0]!.deadLetterArn).toBeUndefined();
  });

  it('does not retry an error that is not retriable (no such function): straight to the dead-letter queue', async () => {
    const { provider, invoker, deadLetters, clock } = start(0);
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:events-dlq';
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ Id: 'gone', Arn: `${FUNCTION_ARN.replace(':recorder', ':missing')}`, DeadLetterConfig: { Arn: dlq } }] });
    await provider.publish({ source: 'shelcaster.test', detailType: 'Ping', detail: { kind: 'ping' } });
    await provider.drain();
    expect(invoker.attempts).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(deadLetters.map((d) => [d.attributes.ERROR_CODE, d.attributes.RETRY_ATTEMPTS, d.attributes.EXHAUSTED_RETRY_CONDITION])).toEqual([['ResourceNotFoundException', '0', undefined]]);
  });

  it('keeps the RetryPolicy and DeadLetterConfig PutTargets set, and refuses values out of EventBridge’s ranges', async () => {
    const { provider } = start(0);
    const target = { Id: 't', Arn: FUNCTION_ARN, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:q' } };
    await call(provider, 'PutRule', { Name: 'pings', EventPattern: PATTERN });
    await call(provider, 'PutTargets', { Rule: 'pings', Targets: [target] });
    expect((await call(provider, 'ListTargetsByRule', { Rule: 'pings' })).body.Targets).toEqual([target]);
    for (const RetryPolicy of [{ MaximumRetryAttempts: 186 }, { MaximumEventAgeInSeconds: 59 }, { MaximumEventAgeInSeconds: 86_401 }]) {
      const answer = await call(provider, 'PutTargets', { Rule: 'pings', Targets: [{ ...target, RetryPolicy }] });
      expect(answer.status).toBe(400);
      expect(answer.body.__type).toBe('ValidationException');
    }
    expect((await call(provider, 'ListTargetsByRule', { Rule: 'pings' })).body.Targets).toEqual([target]);
  });
});

