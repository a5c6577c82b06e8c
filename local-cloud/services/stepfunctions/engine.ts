/**
 * The Step Functions engine: executions of the state machines (state-machines.ts), run by this package's
 * interpreter — the run loop (run-loop.ts), one executor per ASL state type (states/), task attempts with
 * their retries and timers (task-attempts.ts, execution-timers.ts) — over the store (store.ts).
 *
 * Event-sourced and durable: every change appends history events and updates the execution's position,
 * and the execution's file is rewritten atomically before the engine waits on anything. After a restart,
 * `resume()` continues each RUNNING execution from its position: a callback task keeps its token and its
 * remaining timeout and heartbeat; a Lambda or SQS call that was in flight is made again with the same
 * parameters and token (at-least-once, as Step Functions itself is for task retries).
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import { systemClock, type Clock } from '#local-cloud/clock';
import { ExecutionRuntime, parseDefinition } from './execution-runtime.ts';
import { ExecutionTimers } from './execution-timers.ts';
import type { HistoryEvent } from './history.ts';
import type { JsonValue } from './json.ts';
import { RunLoop } from './run-loop.ts';
import { StateMachines } from './state-machines.ts';
import { StepFunctionsStore, type ExecutionRecord, type ExecutionStatus } from './store.ts';
import type { TaskResources } from './task-resources.ts';
import { isWellFormedToken } from './task-tokens.ts';

export interface EngineOptions {
  /** Directory of the service's files. */
  dataDir: string;
  resources: TaskResources;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Share of the delay JitterStrategy FULL keeps (tests pass a constant). */
  random?: () => number;
}

const ERROR_NO_TASK = "Task Timed Out: 'Provided task does not exist anymore'";

/** Runs state machines. One instance owns its data directory. */
export class StepFunctionsEngine {
  readonly region: string;
  readonly accountId: string;
  /** The state machines (CreateStateMachine and the rest). */
  readonly stateMachines: StateMachines;
  private readonly clock: Clock;
  private readonly store: StepFunctionsStore;
  private readonly timers: ExecutionTimers;
  private readonly runtime: ExecutionRuntime;
  private readonly loop: RunLoop;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.store = new StepFunctionsStore(options.dataDir);
    this.stateMachines = new StateMachines(this.store, this.clock, this.region, this.accountId);
    this.timers = new ExecutionTimers(this.clock);
    this.runtime = new ExecutionRuntime(this.clock, this.store, this.timers, this.region);
    this.loop = new RunLoop(this.runtime, options.resources, options.random ?? Math.random);
  }

  // ---- Executions -------------------------------------------------------------------------------

  /**
   * Starts an execution. A name already used answers ExecutionAlreadyExists, except for a RUNNING
   * execution started with the same input, which is returned as it is (StartExecution is idempotent).
   */
  startExecution(args: { stateMachineArn: string; name?: string; input?: string }): ExecutionRecord {
    const machine = this.stateMachines.describe(args.stateMachineArn);
    const name = args.name ?? randomUUID();
    const input = args.input ?? '{}';
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.store.execution(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const definition = parseDefinition(machine.definition);
    const now = this.clock.now();
    const execution: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.stateMachineArn,
      stateMachineName: machine.name,
      name,
      status: 'RUNNING',
      startDate: now,
      input,
      definition: machine.definition,
      roleArn: machine.roleArn,
      tokens: [],
      events: [],
    };
    if (definition.TimeoutSeconds !== undefined) execution.deadline = now + definition.TimeoutSeconds * 1000;
    this.store.addExecution(execution);
    this.runtime.remember(execution, definition);
    this.loop.begin(execution, parsedInput);
    this.runtime.save(execution);
    return execution;
  }

  /** The state machine ARN of a task token's execution (IAM evaluates SendTask* on it); undefined for an unknown token. */
  stateMachineOfToken(token: string): string | undefined {
    const executionArn = this.store.executionArnOfToken(token);
    return executionArn ? this.store.execution(executionArn)?.stateMachineArn : undefined;
  }

  describeExecution(arn: string): ExecutionRecord {
    const execution = this.store.execution(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** A state machine's executions, newest first. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionRecord[] {
    this.stateMachines.describe(stateMachineArn);
    return this.store
      .executionsList()
      .filter((e) => e.stateMachineArn === stateMachineArn && (!statusFilter || e.status === statusFilter))
      .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
  }

  /** The execution's history, oldest first. */
  getExecutionHistory(arn: string): readonly HistoryEvent[] {
    return this.describeExecution(arn).events;
  }

  /** Stops a running execution (ExecutionAborted); a closed one is left as it is. */
  stopExecution(arn: string, error?: string, cause?: string): ExecutionRecord {
    const execution = this.describeExecution(arn);
    if (execution.status !== 'RUNNING') return execution;
    this.loop.abort(execution, error, cause);
    this.runtime.save(execution);
    return execution;
  }

  // ---- Callbacks ----------------------------------------------------------------------------------

  /** Completes the callback task holding `token` with `output` (a JSON text). */
  sendTaskSuccess(token: string, output: string): void {
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(output) as JsonValue;
    } catch {
      throw new AwsServiceError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
    }
    const execution = this.openTask(token);
    this.loop.attempts.callbackSucceeded(execution, output, parsed);
    this.runtime.save(execution);
  }

  /** Fails the callback task holding `token`. */
  sendTaskFailure(token: string, error?: string, cause?: string): void {
    const execution = this.openTask(token);
    this.loop.attempts.callbackFailed(execution, error, cause);
    this.runtime.save(execution);
  }

  /** Restarts the heartbeat clock of the callback task holding `token`. */
  sendTaskHeartbeat(token: string): void {
    const execution = this.openTask(token);
    if (this.loop.attempts.heartbeat(execution)) this.runtime.save(execution);
  }

  // ---- Lifecycle ------------------------------------------------------------------------------------

  /** Continues every RUNNING execution after a restart (see the module comment). */
  resume(): void {
    for (const execution of this.store.executionsList()) {
      if (execution.status === 'RUNNING') this.loop.resume(execution);
    }
  }

  /**
   * Resolves once the work the engine started has run: no resource call is pending, or the calls still
   * pending made no progress through a round of the event loop (a call that never answers, in tests).
   */
  async whenIdle(): Promise<void> {
    await this.loop.attempts.whenIdle();
  }

  /** Stops timers and abandons calls in flight; the files keep every execution for the next start. */
  close(): void {
    this.runtime.closed = true;
    this.timers.clearAll();
    this.loop.attempts.abandonAll(new Error('The engine closed'));
  }

  /** The running execution whose callback task holds `token`, or the error AWS answers. */
  private openTask(token: string): ExecutionRecord {
    if (!isWellFormedToken(token)) throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    const arn = this.store.executionArnOfToken(token);
    if (!arn) throw new AwsServiceError('TaskDoesNotExist', 'Task Does Not Exist');
    const execution = this.store.execution(arn);
    const attempt = execution?.position?.attempt;
    if (!execution || execution.status !== 'RUNNING' || attempt?.token !== token) {
      throw new AwsServiceError('TaskTimedOut', ERROR_NO_TASK);
    }
    return execution;
  }
}
