import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskResourceError } from '#local-cloud/services/stepfunctions/index';
import { EngineFixture, never } from './engine-fixture.ts';

const LAMBDA = 'arn:aws:states:::lambda:invoke';
const CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';

let f: EngineFixture;
beforeEach(() => {
  f = new EngineFixture();
});
afterEach(() => f.dispose());

const callbackMachine = (extra: object = {}) => ({
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: CALLBACK,
      Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.answer',
      End: true,
      ...extra,
    },
  },
});
const tokenOf = (i: number) => f.invocations[i]!.taskToken!;

describe('Pass, Wait, Choice, Succeed and Fail', () => {
  it('runs Pass with Result and ResultPath, Wait on the clock, and Choice to Succeed', async () => {
    const arn = await f.run(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Result: { count: 3 }, ResultPath: '$.init', Next: 'Pause' },
          Pause: { Type: 'Wait', SecondsPath: '$.init.count', Next: 'Pick' },
          Pick: { Type: 'Choice', Choices: [{ Variable: '$.init.count', NumericGreaterThan: 2, Next: 'Done' }], Default: 'Bad' },
          Done: { Type: 'Succeed', OutputPath: '$.init' },
          Bad: { Type: 'Fail', Error: 'Bad' },
        },
      },
      { keep: 1 },
    );
    expect(f.describe(arn).status).toBe('RUNNING');
    await f.advance(2.999);
    expect(f.describe(arn).status).toBe('RUNNING');
    await f.advance(0.001);
    expect(f.types(arn)).toEqual([
      'ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'WaitStateEntered', 'WaitStateExited',
      'ChoiceStateEntered', 'ChoiceStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded',
    ]);
    expect(f.describe(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"count":3}' });
    const events = f.engine.getExecutionHistory(arn);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
  });

  it('fails the execution with a Fail state error, and with States.NoChoiceMatched when nothing matches', async () => {
    const failed = await f.run({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'My.Error', Cause: 'because' } } });
    expect(f.describe(failed)).toMatchObject({ status: 'FAILED', error: 'My.Error', cause: 'because' });
    const unmatched = await f.run(
      { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'S' }] }, S: { Type: 'Succeed' } } },
      {},
      'exec-2',
    );
    expect(f.describe(unmatched)).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('fails with States.Runtime, which no States.ALL catcher catches', async () => {
    const arn = await f.run({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: LAMBDA, Parameters: { 'FunctionName.$': '$.missing' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'S' }], End: true },
        S: { Type: 'Succeed' },
      },
    });
    expect(f.describe(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(f.invocations).toHaveLength(0);
  });
});

describe('Task state', () => {
  it('passes Parameters with the context object and applies ResultSelector, ResultPath and OutputPath', async () => {
    f.script = () => ({ Payload: { value: 42, noise: true }, StatusCode: 200 });
    const arn = await f.run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: LAMBDA,
            Parameters: { FunctionName: FN, Payload: { 'id.$': '$.id', 'exec.$': '$$.Execution.Name', 'state.$': '$$.State.Name' } },
            ResultSelector: { 'value.$': '$.Payload.value' },
            ResultPath: '$.result',
            OutputPath: '$.result',
            End: true,
          },
        },
      },
      { id: 'abc' },
    );
    expect(f.invocations[0]!.parameters).toEqual({ FunctionName: FN, Payload: { id: 'abc', exec: 'exec-1', state: 'T' } });
    expect(f.invocations[0]!.taskToken).toBeUndefined();
    expect(f.describe(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"value":42}' });
    const scheduled = f.engine.getExecutionHistory(arn).find((e) => e.type === 'TaskScheduled')!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
  });

  it('records a bare Lambda function ARN as LambdaFunction events', async () => {
    f.script = () => ({ ok: true });
    const arn = await f.run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } }, { in: 1 });
    expect(f.types(arn)).toEqual([
      'ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    expect(f.describe(arn).output).toBe('{"ok":true}');
  });

  it('retries with backoff, counts $$.State.RetryCount, then catches into ResultPath with Error and Cause', async () => {
    f.script = (invocation) => {
      throw new TaskResourceError('Shelcaster.Transient', `attempt ${JSON.stringify(invocation.parameters)}`);
    };
    const arn = await f.run({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Parameters: { FunctionName: FN, 'retry.$': '$$.State.RetryCount' },
          Retry: [{ ErrorEquals: ['Shelcaster.Transient'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 3 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'S' }],
          End: true,
        },
        S: { Type: 'Succeed' },
      },
    }, { keep: true });
    expect(f.invocations).toHaveLength(1);
    await f.advance(2);
    expect(f.invocations).toHaveLength(2);
    await f.advance(5.999);
    expect(f.invocations).toHaveLength(2);
    await f.advance(0.001);
    expect(f.invocations.map((i) => (i.parameters as { retry: number }).retry)).toEqual([0, 1, 2]);
    const output = JSON.parse(f.describe(arn).output!);
    expect(output).toEqual({ keep: true, error: { Error: 'Shelcaster.Transient', Cause: 'attempt {"FunctionName":"' + FN + '","retry":2}' } });
    expect(f.types(arn).filter((t) => t === 'TaskFailed')).toHaveLength(3);
  });

  it('times a slow task out with States.Timeout and ignores its late result', async () => {
    let finish: (value: unknown) => void = () => {};
    f.script = () => new Promise((resolve) => (finish = resolve)) as never;
    const arn = await f.run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: FN }, TimeoutSeconds: 10, End: true } } });
    expect(f.invocations[0]!.signal.aborted).toBe(false);
    await f.advance(10);
    expect(f.describe(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(f.invocations[0]!.signal.aborted).toBe(true);
    finish({ late: true });
    await f.engine.whenIdle();
    expect(f.types(arn).at(-1)).toBe('ExecutionFailed');
    expect(f.types(arn)).toContain('TaskTimedOut');
  });

  it('ends a running execution with ExecutionTimedOut after the definition TimeoutSeconds', async () => {
    f.script = () => never();
    const arn = await f.run({ TimeoutSeconds: 60, StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: FN }, End: true } } });
    await f.advance(60);
    expect(f.describe(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(f.types(arn).at(-1)).toBe('ExecutionTimedOut');
  });
});

describe('callback tasks', () => {
  it('gives each attempt a fresh token and completes with SendTaskSuccess', async () => {
    f.script = (invocation) => {
      if (f.invocations.length === 1) throw new TaskResourceError('SQS.SdkClientException', 'connection refused');
      return { MessageId: 'm', Payload: { echoed: invocation.taskToken! } };
    };
    const arn = await f.run(callbackMachine({ Retry: [{ ErrorEquals: ['SQS.SdkClientException'] }] }), { a: 1 });
    await f.advance(1);
    expect(f.invocations).toHaveLength(2);
    expect(tokenOf(0)).not.toBe(tokenOf(1));
    expect((f.invocations[1]!.parameters as { MessageBody: { token: string } }).MessageBody.token).toBe(tokenOf(1));
    expect(() => f.engine.sendTaskSuccess(tokenOf(0), '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
    f.engine.sendTaskSuccess(tokenOf(1), '{"ok":1}');
    expect(f.describe(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1,"answer":{"ok":1}}' });
    const submitted = f.engine.getExecutionHistory(arn).find((e) => e.type === 'TaskSubmitted')!;
    expect(submitted.taskSubmittedEventDetails!.output).not.toContain(tokenOf(1));
  });

  it('fails with States.Timeout when heartbeats stop (as AWS records it, not States.HeartbeatTimeout) and at TimeoutSeconds', async () => {
    const arn = await f.run(callbackMachine({ HeartbeatSeconds: 10, TimeoutSeconds: 25 }));
    for (let i = 0; i < 2; i++) {
      await f.advance(9);
      f.engine.sendTaskHeartbeat(tokenOf(0));
    }
    await f.advance(6.5);
    expect(f.describe(arn).status).toBe('RUNNING');
    await f.advance(1);
    expect(f.describe(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });

    const silent = await f.run(callbackMachine({ HeartbeatSecondsPath: '$.hb' }), { hb: 10 }, 'exec-2');
    await f.advance(10);
    expect(f.describe(silent)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const timedOut = f.engine.getExecutionHistory(silent).find((e) => e.type === 'TaskTimedOut')!;
    expect(timedOut.taskTimedOutEventDetails).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', error: 'States.Timeout' });
    expect(timedOut.taskTimedOutEventDetails!.cause).toContain('heartbeat');
  });

  it('answers InvalidToken, TaskDoesNotExist and TaskTimedOut as Step Functions does', async () => {
    const arn = await f.run(callbackMachine());
    const token = tokenOf(0);
    expect(() => f.engine.sendTaskSuccess('not a token', '{}')).toThrow(expect.objectContaining({ code: 'InvalidToken' }));
    expect(() => f.engine.sendTaskHeartbeat(`${token.slice(0, -4)}AAAA`)).toThrow(expect.objectContaining({ code: 'TaskDoesNotExist' }));
    expect(() => f.engine.sendTaskSuccess(token, '{not json')).toThrow(expect.objectContaining({ code: 'InvalidOutput' }));
    f.engine.sendTaskFailure(token, 'My.Error', 'why');
    expect(f.describe(arn)).toMatchObject({ status: 'FAILED', error: 'My.Error', cause: 'why' });
    expect(() => f.engine.sendTaskHeartbeat(token)).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });

  it('stops an execution with ExecutionAborted and closes its token', async () => {
    const arn = await f.run(callbackMachine());
    f.engine.stopExecution(arn, 'Stopped', 'by test');
    expect(f.describe(arn)).toMatchObject({ status: 'ABORTED', error: 'Stopped' });
    expect(f.types(arn).at(-1)).toBe('ExecutionAborted');
    expect(() => f.engine.sendTaskSuccess(tokenOf(0), '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
    expect(f.invocations[0]!.signal.aborted).toBe(false);
  });
});

describe('StartExecution', () => {
  it('returns the running execution for the same name and input, and refuses a different input', async () => {
    const machine = f.engine.stateMachines.create({ name: 'm', definition: JSON.stringify(callbackMachine()), roleArn: 'r' });
    const first = f.engine.startExecution({ stateMachineArn: machine.stateMachineArn, name: 'n', input: '{"a":1}' });
    const again = f.engine.startExecution({ stateMachineArn: machine.stateMachineArn, name: 'n', input: '{"a":1}' });
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toBe(first.startDate);
    expect(() => f.engine.startExecution({ stateMachineArn: machine.stateMachineArn, name: 'n', input: '{"a":2}' })).toThrow(
      expect.objectContaining({ code: 'ExecutionAlreadyExists' }),
    );
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:m:n');
  });

  it('refuses a definition the interpreter cannot run', () => {
    const parallel = { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [{ StartAt: 'S', States: { S: { Type: 'Succeed' } } }], End: true } } };
    expect(() => f.engine.stateMachines.create({ name: 'p', definition: JSON.stringify(parallel), roleArn: 'r' })).toThrow(
      expect.objectContaining({ code: 'InvalidDefinition' }),
    );
    expect(() => f.engine.stateMachines.create({ name: 'x', definition: '{"StartAt":"Nowhere","States":{}}', roleArn: 'r' })).toThrow(
      expect.objectContaining({ code: 'InvalidDefinition' }),
    );
  });
});

describe('durability across a restart', () => {
  it('keeps a callback task waiting on the same token with the time it had left', async () => {
    const arn = await f.run(callbackMachine({ HeartbeatSeconds: 30, TimeoutSeconds: 100 }));
    const token = tokenOf(0);
    await f.advance(20);
    f.engine.sendTaskHeartbeat(token);
    f.restart();
    await f.advance(29);
    expect(f.describe(arn).status).toBe('RUNNING');
    f.engine.sendTaskHeartbeat(token);
    await f.advance(29);
    f.engine.sendTaskSuccess(token, '"done"');
    expect(f.describe(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"answer":"done"}' });
    expect(f.invocations).toHaveLength(1);
  });

  it('times a callback out after a restart at its original deadline', async () => {
    const arn = await f.run(callbackMachine({ TimeoutSeconds: 100 }));
    await f.advance(60);
    f.restart();
    await f.advance(39);
    expect(f.describe(arn).status).toBe('RUNNING');
    await f.advance(1);
    expect(f.describe(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('runs a call that was in flight again, with the same parameters, and continues', async () => {
    f.script = () => never();
    const arn = await f.run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, Parameters: { FunctionName: FN, 'id.$': 'States.UUID()' }, End: true } } });
    f.script = () => ({ Payload: 'ok' });
    f.restart();
    await f.engine.whenIdle();
    expect(f.invocations).toHaveLength(2);
    expect(f.invocations[1]!.parameters).toEqual(f.invocations[0]!.parameters);
    expect(f.describe(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"Payload":"ok"}' });
  });

  it('finishes a Wait state and a retry delay that fell due while stopped', async () => {
    const waiting = await f.run({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } }, { w: 1 });
    f.engine.close();
    await f.clock.advance(45_000);
    f.restart();
    await f.engine.whenIdle();
    await f.advance(0);
    expect(f.describe(waiting)).toMatchObject({ status: 'SUCCEEDED', output: '{"w":1}' });
  });

  it('keeps closed executions and their histories', async () => {
    const arn = await f.run({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const before = f.engine.getExecutionHistory(arn);
    f.restart();
    expect(f.engine.getExecutionHistory(arn)).toEqual(before);
    expect(f.engine.listExecutions(f.describe(arn).stateMachineArn, 'SUCCEEDED')).toHaveLength(1);
  });
});
