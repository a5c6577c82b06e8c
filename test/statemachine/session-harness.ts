/**
 * A session lifecycle execution run by the local Step Functions engine with fake task resources and a
 * manual clock. The fake step functions return what the real steps return (the fields the ASL's
 * ResultSelectors read); the fake SQS records callback messages so a test can act as the controller.
 */
import { decideEndReason, type TeardownState } from '#helpers/decide-end-reason';
import { onAirSecondsLeft, showEndsAt } from '#helpers/on-air-seconds-left';
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ASL_FILE,
  CallbackMessage,
  DEFAULT_EXECUTION_LIMITS,
  FUNCTION_NAMES,
  FUNCTION_SUBSTITUTIONS,
  MAX_CONTROLLER_RESTARTS,
  STATE_MACHINE_NAME,
  commandQueueName,
  substituteDefinition,
  type CallbackKind,
  type ExecutionInput,
  type ExecutionLimits,
  type FunctionRole,
  type SubstitutionKey,
} from '#contract/index';
import {
  StepFunctionsEngine,
  TaskResourceError,
  type HistoryEvent,
  type JsonValue,
  type TaskInvocation,
  type TaskResources,
} from '#local-cloud/services/stepfunctions/index';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** The function ARN CDK substitutes for a role, as the local cloud names it. */
export const functionArnOf = (role: FunctionRole) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAMES[role]}`;

/** The ASL file with every `${...FunctionArn}` substituted. */
export function substitutedDefinition(): string {
  const values = Object.fromEntries(
    Object.entries(FUNCTION_SUBSTITUTIONS).map(([key, role]) => [key, functionArnOf(role)]),
  ) as Record<SubstitutionKey, string>;
  return substituteDefinition(readFileSync(ASL_FILE, 'utf8'), values);
}

type StepRole = 'createStage' | 'startController' | 'goLive' | 'controllerLost' | 'teardown';
type Payload = Record<string, unknown>;

/** A step function's error as Lambda reports it (errorType becomes the ASL error name). */
export class FakeFunctionError extends Error {
  constructor(readonly errorType: string, message: string) {
    super(message);
    this.name = 'FakeFunctionError';
  }
}

export interface SentCallback {
  queueUrl: string;
  message: CallbackMessage;
  messageGroupId: unknown;
}

export class SessionHarness {
  readonly clock = new ManualClock(Date.UTC(2026, 10, 1, 20, 0, 0));
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sfn-session-'));
  readonly callbacks: SentCallback[] = [];
  readonly invocations: { role: StepRole; payload: Payload }[] = [];
  /** Errors the next invocations of a step throw, in order. */
  readonly failures = new Map<StepRole, FakeFunctionError[]>();
  engine: StepFunctionsEngine;
  executionArn = '';
  readonly sessionId = '6f0c2b7e-3a4d-4e8f-9b1a-2c3d4e5f6a7b';
  private restarts = 0;
  private tasks = 0;
  private liveAt: number | undefined;

  constructor() {
    this.engine = this.newEngine();
  }

  /** The resources the engine calls: fake step Lambdas and a recording SQS. */
  readonly resources: TaskResources = {
    invoke: async (invocation: TaskInvocation): Promise<JsonValue> => {
      const parameters = invocation.parameters as Payload;
      if (invocation.parsed.service === 'sqs') {
        const body = typeof parameters.MessageBody === 'string' ? parameters.MessageBody : JSON.stringify(parameters.MessageBody);
        this.callbacks.push({
          queueUrl: String(parameters.QueueUrl),
          message: CallbackMessage.parse(JSON.parse(body)),
          messageGroupId: parameters.MessageGroupId,
        });
        return { MessageId: `message-${this.callbacks.length}`, MD5OfMessageBody: 'md5' };
      }
      const role = (Object.keys(FUNCTION_NAMES) as FunctionRole[]).find((r) => functionArnOf(r) === parameters.FunctionName) as StepRole;
      const payload = parameters.Payload as Payload;
      this.invocations.push({ role, payload });
      const failure = this.failures.get(role)?.shift();
      if (failure) {
        throw new TaskResourceError(failure.errorType, JSON.stringify({ errorType: failure.errorType, errorMessage: failure.message, trace: [] }));
      }
      return { ExecutedVersion: '$LATEST', Payload: this.step(role, payload) as JsonValue, StatusCode: 200 };
    },
  };

  /** What each step returns, as the real step functions do. */
  private step(role: StepRole, payload: Payload): unknown {
    switch (role) {
      case 'createStage':
        return {
          stageArn: `arn:aws:ivs:${REGION}:${ACCOUNT}:stage/st-${this.sessionId.slice(0, 8)}`,
          queueUrl: `http://127.0.0.1:4566/${ACCOUNT}/${commandQueueName(this.sessionId)}`,
        };
      case 'startController':
        return { taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/shelcaster-cluster/task${++this.tasks}` };
      case 'goLive': {
        this.liveAt ??= this.clock.now();
        const endsAt = showEndsAt(new Date(this.liveAt), Number(payload.maxShowSeconds));
        return {
          compositionArn: `arn:aws:ivs:${REGION}:${ACCOUNT}:composition/cmp-1`,
          onAirTimeoutSeconds: onAirSecondsLeft(endsAt, new Date(this.clock.now())),
          endsAt,
        };
      }
      case 'controllerLost':
        this.restarts += 1;
        return { replace: this.restarts <= MAX_CONTROLLER_RESTARTS, restarts: this.restarts };
      case 'teardown': {
        // Teardown's verdict as functions/steps/teardown.ts decides it, on the show's clock.
        const { status, reason } = decideEndReason(payload as unknown as TeardownState, { endRequested: false, now: new Date(this.clock.now()) });
        return { status, reason };
      }
    }
  }

  newEngine(): StepFunctionsEngine {
    return new StepFunctionsEngine({ dataDir: this.dataDir, clock: this.clock, resources: this.resources });
  }

  /** Creates the state machine and starts the session's execution. */
  async start(limits: Partial<ExecutionLimits> = {}): Promise<void> {
    const machine = this.engine.stateMachines.create({
      name: STATE_MACHINE_NAME,
      definition: substitutedDefinition(),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/shelcaster-session-lifecycle`,
    });
    const input: ExecutionInput = { sessionId: this.sessionId, hostId: 'host-1', limits: { ...DEFAULT_EXECUTION_LIMITS, ...limits } };
    this.executionArn = this.engine.startExecution({
      stateMachineArn: machine.stateMachineArn,
      name: this.sessionId,
      input: JSON.stringify(input),
    }).executionArn;
    await this.settle();
  }

  /** Moves the clock, letting every timer and call it starts finish. */
  async advance(seconds: number): Promise<void> {
    await this.clock.advance(seconds * 1000, () => this.engine.whenIdle());
  }

  /** Heartbeats `token` every `interval` seconds for `seconds`, as the controller does. */
  async heartbeatFor(token: string, seconds: number, interval = 5): Promise<void> {
    for (let t = 0; t < seconds; t += interval) {
      await this.advance(interval);
      if (this.status() !== 'RUNNING' || this.currentState() !== 'OnAir') return;
      this.engine.sendTaskHeartbeat(token);
    }
  }

  async settle(): Promise<void> {
    await this.engine.whenIdle();
  }

  /** The task token of the newest callback message of a kind. */
  latestToken(kind: CallbackKind): string {
    const callback = this.callbacks.filter((c) => c.message.callback === kind).at(-1);
    if (!callback) throw new Error(`No ${kind} callback was sent`);
    return callback.message.taskToken;
  }

  async succeed(token: string, output: unknown = {}): Promise<void> {
    this.engine.sendTaskSuccess(token, JSON.stringify(output));
    await this.settle();
  }

  async fail(token: string, error: string, cause = ''): Promise<void> {
    this.engine.sendTaskFailure(token, error, cause);
    await this.settle();
  }

  history(): readonly HistoryEvent[] {
    return this.engine.getExecutionHistory(this.executionArn);
  }

  /** The names of the states the execution entered, in order. */
  path(): string[] {
    return this.history()
      .filter((e) => e.type.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails!.name);
  }

  currentState(): string | undefined {
    return this.engine.describeExecution(this.executionArn).position?.stateName;
  }

  status(): string {
    return this.engine.describeExecution(this.executionArn).status;
  }

  /** The payloads a step was invoked with. */
  payloadsOf(role: StepRole): Payload[] {
    return this.invocations.filter((i) => i.role === role).map((i) => i.payload);
  }

  dispose(): void {
    this.engine.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
