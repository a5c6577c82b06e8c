import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaProvider, type DroppedAsyncInvocation } from '#local-cloud/services/lambda/provider';
import type { AsyncInvokeConfig } from '#local-cloud/services/lambda/function-configuration';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';

const STRUCTURED_LOGGER = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/structured-logger.mjs', import.meta.url));
const GREETER = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/greeter.ts', import.meta.url));
const FLAKY = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/flaky-handler.ts', import.meta.url));

function greeterRegistration(overrides: Partial<{ environment: Record<string, string>; timeoutSeconds: number }> = {}) {
  return {
    functionName: 'greeter',
    entry: GREETER,
    environment: { GREETING: 'Hello' },
    timeoutSeconds: 5,
    memoryMiB: 256,
    ...overrides,
  };
}

describe('LambdaProvider', () => {
  let provider: LambdaProvider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  function start(clock = new ManualClock(Date.now()), maxEnvironmentsPerFunction?: number) {
    const logs = new RecordingLogSink();
    provider = new LambdaProvider({
      logs,
      clock,
      cloudEnvironment: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
      ...(maxEnvironmentsPerFunction ? { maxEnvironmentsPerFunction } : {}),
    });
    return { provider, logs, clock };
  }

  it('runs a TypeScript handler with the function environment and a Lambda context', async () => {
    const { provider } = start();
    provider.register(greeterRegistration());
    const result = await provider.invoke('greeter', { name: 'Ada' });
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toMatchObject({
      greeting: 'Hello, Ada',
      invocations: 1,
      functionName: 'greeter',
      region: 'us-east-1',
      memorySize: '256',
      endpoint: 'http://127.0.0.1:1',
    });
    const payload = result.payload as { requestId: string; remainingMs: number };
    expect(payload.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.remainingMs).toBeGreaterThan(0);
    expect(payload.remainingMs).toBeLessThanOrEqual(5000);
  });

  it('reuses a warm environment for the next invocation', async () => {
    const { provider } = start();
    provider.register(greeterRegistration());
    const first = (await provider.invoke('greeter', { name: 'a' })).payload as { threadId: number; invocations: number };
    const second = (await provider.invoke('greeter', { name: 'b' })).payload as { threadId: number; invocations: number };
    expect(second.threadId).toBe(first.threadId);
    expect(second.invocations).toBe(2);
  });

  it('starts another environment for a concurrent invocation', async () => {
    const { provider } = start();
    provider.register(greeterRegistration());
    const [a, b] = await Promise.all([provider.invoke('greeter', { name: 'a' }), provider.invoke('greeter', { name: 'b' })]);
    expect((a.payload as { threadId: number }).threadId).not.toBe((b.payload as { threadId: number }).threadId);
  });

  it('queues invocations beyond maxEnvironmentsPerFunction for a free environment, and runs them all', async () => {
    const { provider } = start(new ManualClock(Date.now()), 2);
    provider.register(greeterRegistration());
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name) => provider.invoke('greeter', { name })));
    expect(results.map((r) => (r.payload as { greeting: string }).greeting)).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `Hello, ${n}`));
    const threads = new Set(results.map((r) => (r.payload as { threadId: number }).threadId));
    expect(threads.size).toBe(2);
  });

  it('answers a thrown error as Unhandled with the error name as errorType', async () => {
    const { provider } = start();
    provider.register(greeterRegistration());
    const result = await provider.invoke('arn:aws:lambda:us-east-1:000000000000:function:greeter', { name: 'Bob', fail: true });
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'GreetingRefusedError', errorMessage: 'refusing to greet Bob' });
    expect((result.payload as { trace: string[] }).trace[0]).toContain('GreetingRefusedError');
  });

  it('reports an error thrown at cold start, when the module cannot initialise', async () => {
    const { provider, logs } = start();
    provider.register(greeterRegistration({ environment: {} }));
    const result = await provider.invoke('greeter', {});
    expect(result).toMatchObject({ functionError: 'Unhandled', payload: { errorType: 'Error', errorMessage: 'GREETING is not set' } });
    expect(logs.messages('/aws/lambda/greeter').some((line) => line.startsWith('INIT_REPORT') && line.includes('Status: error'))).toBe(true);
  });

  it('writes START, the output and END/REPORT to one stream per environment', async () => {
    const { provider, logs } = start();
    provider.register(greeterRegistration());
    await provider.invoke('greeter', { name: 'Ada' });
    await provider.invoke('greeter', { name: 'Bea' });
    const streams = logs.streams('/aws/lambda/greeter');
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const lines = logs.messages('/aws/lambda/greeter');
    const first = lines.findIndex((line) => line.startsWith('START RequestId: '));
    expect(lines[first]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    expect(lines[first + 1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tgreeting Ada \nsecond line$/);
    expect(lines[first + 2]).toMatch(/^END RequestId: /);
    expect(lines[first + 3]).toMatch(/^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/);
    expect(lines.filter((line) => line.startsWith('REPORT'))[1]).not.toContain('Init Duration');
  });

  it('in the JSON log format, writes the runtime\'s JSON records for console calls and platform events, and passes JSON lines as they are', async () => {
    const { provider, logs } = start();
    provider.register({ functionName: 'structured', entry: STRUCTURED_LOGGER, environment: {}, timeoutSeconds: 5, memoryMiB: 128, loggingFormat: 'JSON' });
    const result = await provider.invoke('structured', { name: 'Ada' });
    expect(result.payload).toEqual({ moduleUrl: pathToFileURL(STRUCTURED_LOGGER).href, logFormat: 'JSON' });
    const records = logs.messages('/aws/lambda/structured').map((line) => JSON.parse(line) as Record<string, unknown>);
    const start_ = records.find((r) => r.type === 'platform.start') as { record: { requestId: string } };
    const requestId = start_.record.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(records.map((r) => r.type ?? r.level)).toEqual(['platform.initStart', 'platform.start', 'INFO', 'ERROR', 'INFO', 'platform.runtimeDone', 'platform.report']);
    expect(records[2]).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/), level: 'INFO', requestId, message: 'plain Ada { n: 1 }' });
    expect(records[3]).toMatchObject({ level: 'ERROR', requestId, message: 'bad thing', errorType: 'TypeError', errorMessage: 'bad thing' });
    expect(records[4]).toEqual({ level: 'INFO', message: 'structured', service: 'test', sessionId: 'Ada' });
    expect(records[6]).toMatchObject({ type: 'platform.report', record: { requestId, status: 'success', metrics: { memorySizeMB: 128 } } });
  });

  it('times out an invocation, terminates its environment and answers Sandbox.Timedout', async () => {
    const { provider, logs, clock } = start();
    provider.register(greeterRegistration({ timeoutSeconds: 3 }));
    const warm = (await provider.invoke('greeter', { name: 'a' })).payload as { threadId: number };
    const hanging = provider.invoke('greeter', { name: 'b', hang: true });
    await expect.poll(() => logs.messages('/aws/lambda/greeter').filter((line) => line.includes('greeting b')).length).toBe(1);
    expect(clock.pendingDelays).toEqual([3000]);
    await clock.runAll();
    const result = await hanging;
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect((result.payload as { errorMessage: string }).errorMessage).toMatch(/^RequestId: \S+ Error: Task timed out after 3\.00 seconds$/);
    const lines = logs.messages('/aws/lambda/greeter');
    expect(lines.some((line) => /Z \S+ Task timed out after 3\.00 seconds$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/\tStatus: timeout$/);
    const next = (await provider.invoke('greeter', { name: 'c' })).payload as { threadId: number; invocations: number };
    expect(next.threadId).not.toBe(warm.threadId);
    expect(next.invocations).toBe(1);
  });

  it('throws ResourceNotFoundException for an unknown function', async () => {
    const { provider } = start();
    await expect(provider.invoke('nobody', {})).rejects.toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
  });

  it('runs Event invocations in the background and drains them', async () => {
    const { provider, logs } = start();
    provider.register(greeterRegistration());
    const result = await provider.invoke('greeter', { name: 'async' }, 'Event');
    expect(result).toEqual({ payload: undefined });
    await provider.drain();
    expect(logs.messages('/aws/lambda/greeter').some((line) => line.includes('greeting async'))).toBe(true);
  });
});

describe('LambdaProvider: retries of asynchronous invocations, as Lambda makes them', () => {
  let provider: LambdaProvider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  function start(asyncInvokeConfig?: Partial<AsyncInvokeConfig>) {
    const logs = new RecordingLogSink();
    const clock = new ManualClock(Date.now());
    const dropped: DroppedAsyncInvocation[] = [];
    provider = new LambdaProvider({ logs, clock, cloudEnvironment: {}, onAsyncInvocationDropped: (d) => dropped.push(d) });
    provider.register({ functionName: 'flaky', entry: FLAKY, environment: {}, timeoutSeconds: 5, memoryMiB: 128, ...(asyncInvokeConfig ? { asyncInvokeConfig } : {}) });
    const running = provider;
    /**
     * Moves the clock `ms` forward, timer by timer, letting each invocation a timer starts run to its end before
     * time moves on (a worker thread runs on real time: a jump would fire its timeout first).
     */
    const advance = async (ms: number) => {
      const target = clock.now() + ms;
      await running.drain();
      for (;;) {
        const next = Math.min(...clock.pendingDelays);
        if (!Number.isFinite(next) || clock.now() + next > target) break;
        await clock.advance(next);
        await running.drain();
      }
      await clock.advance(target - clock.now());
    };
    /** The attempts logged so far: [request id, event key]. */
    const attempts = () =>
      logs
        .messages('/aws/lambda/flaky')
        .map((line) => /ATTEMPT (\S+) (\S+)/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1], match[2]]);
    return { provider: running, clock, dropped, advance, attempts };
  }

  it('retries a failing function twice, 1 minute then 2 minutes later, with the same request id, then drops the event', async () => {
    const { provider, clock, dropped, advance, attempts } = start();
    await provider.invoke('flaky', { key: 'always', failAttempts: 99 }, 'Event');
    await advance(0);
    expect(attempts()).toHaveLength(1);
    expect(clock.pendingDelays).toEqual([60_000]);
    await advance(59_999);
    expect(attempts()).toHaveLength(1);
    await advance(1);
    expect(attempts()).toHaveLength(2);
    expect(clock.pendingDelays).toEqual([120_000]);
    await advance(120_000);
    expect(attempts()).toHaveLength(3);
    await advance(3_600_000);
    expect(attempts()).toHaveLength(3);
    expect(new Set(attempts().map(([requestId]) => requestId)).size).toBe(1);
    expect(dropped).toEqual([{ functionName: 'flaky', requestId: attempts()[0]![0], attempts: 3, errorType: 'Error', reason: 'RetriesExhausted' }]);
  });

  it('stops retrying once the function succeeds', async () => {
    const { provider, dropped, advance, attempts } = start();
    await provider.invoke('flaky', { key: 'once', failAttempts: 1 }, 'Event');
    await advance(60_000);
    await advance(3_600_000);
    expect(attempts()).toHaveLength(2);
    expect(dropped).toEqual([]);
  });

  it("honours the function's maximumRetryAttempts and maximumEventAgeSeconds (its EventInvokeConfig)", async () => {
    const none = start({ maximumRetryAttempts: 0 });
    await none.provider.invoke('flaky', { key: 'no-retry', failAttempts: 99 }, 'Event');
    await none.advance(3_600_000);
    expect(none.attempts()).toHaveLength(1);
    expect(none.dropped.map((d) => d.reason)).toEqual(['RetriesExhausted']);
    await none.provider.close();

    // The second retry would come 3 minutes after the event was queued: older than 2 minutes, dropped.
    const young = start({ maximumEventAgeSeconds: 120 });
    await young.provider.invoke('flaky', { key: 'young', failAttempts: 99 }, 'Event');
    await young.advance(3_600_000);
    expect(young.attempts()).toHaveLength(2);
    expect(young.dropped.map((d) => [d.attempts, d.reason])).toEqual([[2, 'EventAgeExceeded']]);
  });

  it('does not retry synchronous invocations (the caller gets the error)', async () => {
    const { provider, advance, attempts, clock } = start();
    const result = await provider.invoke('flaky', { key: 'sync', failAttempts: 99 });
    expect(result.functionError).toBe('Unhandled');
    expect(clock.pendingTimers()).toBe(0);
    await advance(3_600_000);
    expect(attempts()).toHaveLength(1);
  });
});
