import { describe, expect, it } from 'vitest';
import type { FunctionInvoker, InvokeResult } from '#local-cloud/gateway/internal';
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { EventsProvider } from '#local-cloud/services/events/provider';
import { InvalidScheduleExpressionError, schedulePeriodMs } from '#local-cloud/services/events/schedule-expression';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:refill';

class RecordingInvoker implements FunctionInvoker {
  readonly calls: { payload: unknown; type: string | undefined }[] = [];
  async invoke(_name: string, payload: unknown, type?: 'RequestResponse' | 'Event'): Promise<InvokeResult> {
    this.calls.push({ payload, type });
    return { payload: undefined };
  }
}

async function call(provider: EventsProvider, operation: string, body: object) {
  const request: AwsRequest = {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': `AWSEvents.${operation}`, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
    region: 'us-east-1',
    url: new URL('http://127.0.0.1/'),
  };
  const response = await provider.handle(request);
  return { status: response.status, body: JSON.parse(String(response.body)) as Record<string, unknown> };
}

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
