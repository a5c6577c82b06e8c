/**
 * The Step Functions engine: state machines and their executions, run by this package's interpreter.
 *
 * Event-sourced and durable: every change appends history events and updates the execution's position,
 * and the execution's file is rewritten atomically before the engine waits on anything. After a restart,
 * `resume()` continues each RUNNING execution from its position: a callback task keeps its token and its
 * remaining timeout and heartbeat; a Lambda or SQS call that was in flight is made again with the same
 * parameters and token (at-least-once, as Step Functions itself is for task retries).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import type { State, StateMachineDefinition, TaskState } from './asl-types.ts';
import { flushAsync, systemClock, type Clock, type TimerHandle } from '#local-cloud/clock';
import { MAX_HISTORY_EVENTS, MAX_TASK_TOKEN_LENGTH, STATES_ERRORS, TASK_TOKEN_PREFIX, TASK_TOKEN_RANDOM_BYTES } from './constants.ts';
import { contextObject } from './context-object.ts';
import { checkDefinition } from './definition-check.ts';
import { StatesError, StatesHeartbeatTimeoutError, StatesRuntimeError, StatesTimeoutError } from './errors.ts';
import { NOT_TRUNCATED, type HistoryEvent, type HistoryEventDetails, type HistoryEventType } from './history.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { applyResultPath } from './paths.ts';
import { canRetry, findCatcher, findRetrier, retryDelayMs } from './retry-policy.ts';
import { planTaskAttempt, runStateHandler, taskOutput } from './states/index.ts';
import {
  StepFunctionsStore,
  type ExecutionPosition,
  type ExecutionRecord,
  type ExecutionStatus,
  type StateMachineRecord,
} from './store.ts';
import { parseResource, type ParsedResource, type TaskResources } from './task-resources.ts';

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

interface ExecutionTimers {
  execution?: TimerHandle;
  state?: TimerHandle;
  timeout?: TimerHandle;
  heartbeat?: TimerHandle;
}

/** The arguments of CreateStateMachine the engine uses. */
export interface CreateStateMachineInput {
  name: string;
  definition: string;
  roleArn: string;
  type?: 'STANDARD' | 'EXPRESS';
}

const ERROR_NO_TASK = "Task Timed Out: 'Provided task does not exist anymore'";

/** Runs state machines. One instance owns its data directory. */
export class StepFunctionsEngine {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly store: StepFunctionsStore;
  private readonly resources: TaskResources;
  private readonly random: () => number;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly definitions = new Map<string, StateMachineDefinition>();
  private readonly tokens = new Map<string, string>();
  private readonly timers = new Map<string, ExecutionTimers>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<unknown>>();
  private settledCalls = 0;
  private closed = false;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    this.resources = options.resources;
    this.random = options.random ?? Math.random;
    this.store = new StepFunctionsStore(options.dataDir);
    for (const machine of this.store.loadStateMachines()) this.machines.set(machine.stateMachineArn, machine);
    for (const execution of this.store.loadExecutions()) {
      this.executions.set(execution.executionArn, execution);
      for (const token of execution.tokens) this.tokens.set(token, execution.executionArn);
    }
  }

  // ---- State machines ------------------------------------------------------------------------------

  /** The ARN a state machine of this name has. */
  stateMachineArn(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  /** Creates a state machine; the same name, definition and role again return the existing one. */
  createStateMachine(input: CreateStateMachineInput): StateMachineRecord {
    const arn = this.stateMachineArn(input.name);
    const existing = this.machines.get(arn);
    if (existing) {
      if (existing.definition === input.definition && existing.roleArn === input.roleArn) return existing;
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    assertRunnable(input.definition);
    const record: StateMachineRecord = {
      stateMachineArn: arn,
      name: input.name,
      definition: input.definition,
      roleArn: input.roleArn,
      type: input.type ?? 'STANDARD',
      creationDate: this.clock.now(),
    };
    this.store.saveStateMachine(record);
    this.machines.set(arn, record);
    return record;
  }

  /** Replaces a state machine's definition or role; running executions keep the definition they started with. */
  updateStateMachine(arn: string, changes: { definition?: string; roleArn?: string }): StateMachineRecord {
    const record = this.describeStateMachine(arn);
    if (changes.definition !== undefined) assertRunnable(changes.definition);
    const updated = { ...record, ...definedOnly(changes), updateDate: this.clock.now() };
    this.store.saveStateMachine(updated);
    this.machines.set(arn, updated);
    return updated;
  }

  describeStateMachine(arn: string): StateMachineRecord {
    const record = this.machines.get(arn);
    if (!record) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return record;
  }

  /** State machines, by name. */
  listStateMachines(): StateMachineRecord[] {
    return [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes a state machine; its running executions run to their end. */
  deleteStateMachine(arn: string): void {
    const record = this.machines.get(arn);
    if (!record) return;
    this.store.deleteStateMachine(record.name);
    this.machines.delete(arn);
  }

  // ---- Executions -------------------------------------------------------------------------------

  /**
   * Starts an execution. A name already used answers ExecutionAlreadyExists, except for a RUNNING
   * execution started with the same input, which is returned as it is (StartExecution is idempotent).
   */
  startExecution(args: { stateMachineArn: string; name?: string; input?: string }): ExecutionRecord {
    const machine = this.describeStateMachine(args.stateMachineArn);
    const name = args.name ?? randomUUID();
    const input = args.input ?? '{}';
    let parsedInput: JsonValue;
    try {
      parsedInput = JSON.parse(input) as JsonValue;
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: the input is not valid JSON');
    }
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = this.executions.get(executionArn);
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
    this.executions.set(executionArn, execution);
    this.definitions.set(executionArn, definition);
    this.emit(execution, 'ExecutionStarted', {
      executionStartedEventDetails: { input, inputDetails: NOT_TRUNCATED, roleArn: machine.roleArn },
    });
    this.armExecutionTimeout(execution);
    this.enterState(execution, definition.StartAt, parsedInput);
    this.save(execution);
    return execution;
  }

  describeExecution(arn: string): ExecutionRecord {
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  /** A state machine's executions, newest first. */
  listExecutions(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionRecord[] {
    this.describeStateMachine(stateMachineArn);
    return [...this.executions.values()]
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
    const details: { error?: string; cause?: string } = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.finish(execution, 'ABORTED', 'ExecutionAborted', { executionAbortedEventDetails: details }, { error, cause });
    this.save(execution);
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
    const position = execution.position!;
    const resource = this.resourceOf(execution);
    this.clearAttemptTimers(execution.executionArn);
    this.emit(execution, 'TaskSucceeded', {
      taskSucceededEventDetails: { ...resourceFields(resource), output, outputDetails: NOT_TRUNCATED },
    });
    this.completeTask(execution, position, parsed);
    this.save(execution);
  }

  /** Fails the callback task holding `token`. */
  sendTaskFailure(token: string, error?: string, cause?: string): void {
    const execution = this.openTask(token);
    const resource = this.resourceOf(execution);
    this.clearAttemptTimers(execution.executionArn);
    this.emit(execution, 'TaskFailed', {
      taskFailedEventDetails: { ...resourceFields(resource), error: error ?? '', cause: cause ?? '' },
    });
    this.taskFailed(execution, new StatesError(error ?? '', cause ?? ''));
    this.save(execution);
  }

  /** Restarts the heartbeat clock of the callback task holding `token`. */
  sendTaskHeartbeat(token: string): void {
    const execution = this.openTask(token);
    const attempt = execution.position!.attempt!;
    if (attempt.heartbeatSeconds === undefined) return;
    attempt.heartbeatDeadline = this.clock.now() + attempt.heartbeatSeconds * 1000;
    this.armAttemptTimers(execution);
    this.save(execution);
  }

  // ---- Lifecycle ------------------------------------------------------------------------------------

  /** Continues every RUNNING execution after a restart (see the module comment). */
  resume(): void {
    for (const execution of this.executions.values()) {
      if (execution.status !== 'RUNNING') continue;
      this.armExecutionTimeout(execution);
      const position = execution.position;
      if (!position) continue;
      switch (position.phase) {
        case 'waiting':
          this.armStateTimer(execution, position.waitUntil ?? this.clock.now(), () => this.endWait(execution.executionArn));
          break;
        case 'retrying':
          this.armStateTimer(execution, position.retryAt ?? this.clock.now(), () => this.retryTask(execution.executionArn));
          break;
        case 'task':
          this.armAttemptTimers(execution);
          this.invokeResource(execution);
          break;
        case 'callback':
          this.armAttemptTimers(execution);
          break;
      }
    }
  }

  /**
   * Resolves once the work the engine started has run: no resource call is pending, or the calls still
   * pending made no progress through a round of the event loop (a call that never answers, in tests).
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const before = this.settledCalls;
      await flushAsync();
      if (this.pending.size === 0 || this.settledCalls === before) return;
    }
  }

  /** Stops timers and abandons calls in flight; the files keep every execution for the next start. */
  close(): void {
    this.closed = true;
    for (const arn of this.timers.keys()) this.clearTimers(arn);
    for (const controller of this.inFlight.values()) controller.abort(new Error('The engine closed'));
    this.inFlight.clear();
  }

  // ---- Interpreter ------------------------------------------------------------------------------------

  /** Enters `stateName` with `input` and runs states until one has to wait or the execution ends. */
  private enterState(execution: ExecutionRecord, stateName: string, input: JsonValue): void {
    let name: string | null = stateName;
    let data = input;
    while (name !== null && execution.status === 'RUNNING') {
      const state: State | undefined = this.definitionOf(execution).States[name];
      if (!state) return this.failExecution(execution, new StatesRuntimeError(`The state ${name} does not exist`));
      if (execution.events.length >= MAX_HISTORY_EVENTS) {
        return this.failExecution(execution, new StatesRuntimeError(`The execution reached ${MAX_HISTORY_EVENTS} history events`));
      }
      this.emit(execution, `${state.Type}StateEntered` as HistoryEventType, {
        stateEnteredEventDetails: { name, input: JSON.stringify(data), inputDetails: NOT_TRUNCATED },
      });
      const position: ExecutionPosition = {
        stateName: name,
        enteredAt: this.clock.now(),
        input: data,
        phase: 'task',
        retryCount: 0,
        retrierAttempts: [],
      };
      execution.position = position;
      let action;
      try {
        action = runStateHandler(state, { input: data, context: this.contextFor(execution, position), now: this.clock.now() });
      } catch (error) {
        return this.failExecution(execution, asStatesError(error));
      }
      switch (action.kind) {
        case 'transition':
          this.exitState(execution, state, name, action.output);
          if (action.next === null) return this.succeedExecution(execution, action.output);
          name = action.next;
          data = action.output;
          break;
        case 'succeed':
          this.exitState(execution, state, name, action.output);
          return this.succeedExecution(execution, action.output);
        case 'fail':
          return this.failExecution(execution, new StatesError(action.error, action.cause));
        case 'wait':
          Object.assign(position, { phase: 'waiting', waitUntil: action.untilMs, waitOutput: action.output, waitNext: action.next });
          this.armStateTimer(execution, action.untilMs, () => this.endWait(execution.executionArn));
          return;
        case 'task':
          return this.startTaskAttempt(execution);
      }
    }
  }

  private exitState(execution: ExecutionRecord, state: State, name: string, output: JsonValue): void {
    this.emit(execution, `${state.Type}StateExited` as HistoryEventType, {
      stateExitedEventDetails: { name, output: JSON.stringify(output), outputDetails: NOT_TRUNCATED },
    });
  }

  private endWait(arn: string): void {
    const execution = this.running(arn);
    const position = execution?.position;
    if (!execution || position?.phase !== 'waiting') return;
    const output = position.waitOutput ?? null;
    this.exitState(execution, this.stateOf(execution), position.stateName, output);
    if (position.waitNext == null) this.succeedExecution(execution, output);
    else this.enterState(execution, position.waitNext, output);
    this.save(execution);
  }

  /** Schedules one attempt of the current Task state and calls its resource. */
  private startTaskAttempt(execution: ExecutionRecord): void {
    const position = execution.position!;
    const state = this.stateOf(execution) as TaskState;
    const resource = parseResource(state.Resource)!;
    const token = resource.callback ? newTaskToken() : undefined;
    let plan;
    try {
      plan = planTaskAttempt(state, position.input, this.contextFor(execution, position, token));
    } catch (error) {
      return this.taskFailed(execution, asStatesError(error));
    }
    const now = this.clock.now();
    position.phase = 'task';
    position.attempt = { id: randomUUID(), parameters: plan.parameters };
    const attempt = position.attempt;
    if (token !== undefined) {
      attempt.token = token;
      execution.tokens.push(token);
      this.tokens.set(token, execution.executionArn);
    }
    if (plan.timeoutSeconds !== undefined) {
      attempt.timeoutSeconds = plan.timeoutSeconds;
      attempt.deadline = now + plan.timeoutSeconds * 1000;
    }
    if (plan.heartbeatSeconds !== undefined && resource.callback) {
      attempt.heartbeatSeconds = plan.heartbeatSeconds;
      attempt.heartbeatDeadline = now + plan.heartbeatSeconds * 1000;
    }
    if (resource.kind === 'lambdaFunction') {
      const details: NonNullable<HistoryEventDetails['lambdaFunctionScheduledEventDetails']> = {
        resource: resource.arn,
        input: JSON.stringify(plan.parameters),
        inputDetails: NOT_TRUNCATED,
      };
      if (plan.timeoutSeconds !== undefined) details.timeoutInSeconds = plan.timeoutSeconds;
      this.emit(execution, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: details });
      this.emit(execution, 'LambdaFunctionStarted', {});
    } else {
      const details: NonNullable<HistoryEventDetails['taskScheduledEventDetails']> = {
        ...resourceFields(resource),
        region: this.region,
        parameters: JSON.stringify(plan.parameters),
      };
      if (plan.timeoutSeconds !== undefined) details.timeoutInSeconds = plan.timeoutSeconds;
      if (attempt.heartbeatSeconds !== undefined) details.heartbeatInSeconds = attempt.heartbeatSeconds;
      this.emit(execution, 'TaskScheduled', { taskScheduledEventDetails: details });
      this.emit(execution, 'TaskStarted', { taskStartedEventDetails: resourceFields(resource) });
    }
    this.armAttemptTimers(execution);
    this.invokeResource(execution);
  }

  /** Calls the current attempt's resource; its answer is applied only if the attempt is still current. */
  private invokeResource(execution: ExecutionRecord): void {
    const position = execution.position!;
    const attempt = position.attempt!;
    const resource = this.resourceOf(execution);
    const controller = new AbortController();
    this.inFlight.set(attempt.id, controller);
    const invocation = {
      resource: resource.arn,
      parsed: resource,
      parameters: attempt.parameters,
      signal: controller.signal,
      executionArn: execution.executionArn,
      stateName: position.stateName,
      ...(attempt.token !== undefined ? { taskToken: attempt.token } : {}),
    };
    const call = Promise.resolve()
      .then(() => this.resources.invoke(invocation))
      .then(
        (result) => this.onResourceResult(execution.executionArn, attempt.id, result),
        (error: unknown) => this.onResourceError(execution.executionArn, attempt.id, error),
      )
      .finally(() => {
        this.inFlight.delete(attempt.id);
        this.pending.delete(call);
        this.settledCalls += 1;
      });
    this.pending.add(call);
  }

  private onResourceResult(arn: string, attemptId: string, result: JsonValue): void {
    const execution = this.currentAttempt(arn, attemptId);
    if (!execution) return;
    const position = execution.position!;
    const resource = this.resourceOf(execution);
    if (resource.callback) {
      position.phase = 'callback';
      this.emit(execution, 'TaskSubmitted', {
        taskSubmittedEventDetails: { ...resourceFields(resource), output: JSON.stringify(submittedOutput(result)), outputDetails: NOT_TRUNCATED },
      });
    } else {
      this.clearAttemptTimers(arn);
      if (resource.kind === 'lambdaFunction') {
        this.emit(execution, 'LambdaFunctionSucceeded', {
          lambdaFunctionSucceededEventDetails: { output: JSON.stringify(result), outputDetails: NOT_TRUNCATED },
        });
      } else {
        this.emit(execution, 'TaskSucceeded', {
          taskSucceededEventDetails: { ...resourceFields(resource), output: JSON.stringify(result), outputDetails: NOT_TRUNCATED },
        });
      }
      this.completeTask(execution, position, result);
    }
    this.save(execution);
  }

  private onResourceError(arn: string, attemptId: string, thrown: unknown): void {
    const execution = this.currentAttempt(arn, attemptId);
    if (!execution) return;
    const error = asStatesError(thrown, STATES_ERRORS.TaskFailed);
    const resource = this.resourceOf(execution);
    this.clearAttemptTimers(arn);
    if (resource.kind === 'lambdaFunction') {
      this.emit(execution, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: error.name, cause: error.stateCause } });
    } else {
      this.emit(execution, 'TaskFailed', {
        taskFailedEventDetails: { ...resourceFields(resource), error: error.name, cause: error.stateCause },
      });
    }
    this.taskFailed(execution, error);
    this.save(execution);
  }

  /** The attempt timed out (States.Timeout) or missed its heartbeat (States.HeartbeatTimeout). */
  private onAttemptTimeout(arn: string, attemptId: string, error: StatesError): void {
    const execution = this.currentAttempt(arn, attemptId);
    if (!execution) return;
    this.inFlight.get(attemptId)?.abort(error);
    this.clearAttemptTimers(arn);
    const resource = this.resourceOf(execution);
    if (resource.kind === 'lambdaFunction') {
      this.emit(execution, 'LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error: error.name, cause: error.stateCause } });
    } else {
      this.emit(execution, 'TaskTimedOut', {
        taskTimedOutEventDetails: { ...resourceFields(resource), error: error.name, cause: error.stateCause },
      });
    }
    this.taskFailed(execution, error);
    this.save(execution);
  }

  /** A task's result: its output, then the next state. */
  private completeTask(execution: ExecutionRecord, position: ExecutionPosition, result: JsonValue): void {
    const state = this.stateOf(execution) as TaskState;
    delete position.attempt;
    let output: JsonValue;
    try {
      output = taskOutput(state, position.input, result, this.contextFor(execution, position));
    } catch (error) {
      return this.taskFailed(execution, asStatesError(error));
    }
    this.exitState(execution, state, position.stateName, output);
    if (state.End || state.Next === undefined) this.succeedExecution(execution, output);
    else this.enterState(execution, state.Next, output);
  }

  /** A task's error: the first matching retrier with attempts left, else the first matching catcher, else the execution fails. */
  private taskFailed(execution: ExecutionRecord, error: StatesError): void {
    const position = execution.position!;
    const state = this.stateOf(execution) as TaskState;
    delete position.attempt;
    const retrierIndex = findRetrier(state.Retry, error.name);
    const retrier = state.Retry?.[retrierIndex];
    const used = position.retrierAttempts[retrierIndex] ?? 0;
    if (retrier && canRetry(retrier, used)) {
      const delay = retryDelayMs(retrier, used, this.random);
      position.retrierAttempts[retrierIndex] = used + 1;
      position.retryCount += 1;
      position.phase = 'retrying';
      position.retryAt = this.clock.now() + delay;
      this.armStateTimer(execution, position.retryAt, () => this.retryTask(execution.executionArn));
      return;
    }
    const catcher = findCatcher(state.Catch, error.name);
    if (!catcher) return this.failExecution(execution, error);
    let output: JsonValue;
    try {
      output = applyResultPath(position.input, { Error: error.name, Cause: error.stateCause }, catcher.ResultPath);
    } catch (resultPathError) {
      return this.failExecution(execution, asStatesError(resultPathError));
    }
    this.exitState(execution, state, position.stateName, output);
    this.enterState(execution, catcher.Next, output);
  }

  private retryTask(arn: string): void {
    const execution = this.running(arn);
    if (!execution || execution.position?.phase !== 'retrying') return;
    delete execution.position.retryAt;
    this.startTaskAttempt(execution);
    this.save(execution);
  }

  private succeedExecution(execution: ExecutionRecord, output: JsonValue): void {
    const text = JSON.stringify(output);
    this.finish(execution, 'SUCCEEDED', 'ExecutionSucceeded', {
      executionSucceededEventDetails: { output: text, outputDetails: NOT_TRUNCATED },
    }, { output: text });
  }

  private failExecution(execution: ExecutionRecord, error: StatesError): void {
    this.finish(execution, 'FAILED', 'ExecutionFailed', {
      executionFailedEventDetails: { error: error.name, cause: error.stateCause },
    }, { error: error.name, cause: error.stateCause });
  }

  private onExecutionTimeout(arn: string): void {
    const execution = this.running(arn);
    if (!execution) return;
    const cause = 'The execution ran longer than the TimeoutSeconds of its state machine';
    this.finish(execution, 'TIMED_OUT', 'ExecutionTimedOut', {
      executionTimedOutEventDetails: { error: STATES_ERRORS.Timeout, cause },
    }, { error: STATES_ERRORS.Timeout, cause });
    this.save(execution);
  }

  private finish(
    execution: ExecutionRecord,
    status: ExecutionStatus,
    type: HistoryEventType,
    details: HistoryEventDetails,
    result: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    const attemptId = execution.position?.attempt?.id;
    if (attemptId) this.inFlight.get(attemptId)?.abort(new Error('The execution ended'));
    this.clearTimers(execution.executionArn);
    delete execution.position;
    execution.status = status;
    execution.stopDate = this.clock.now();
    if (result.output !== undefined) execution.output = result.output;
    if (result.error !== undefined) execution.error = result.error;
    if (result.cause !== undefined) execution.cause = result.cause;
    this.emit(execution, type, details);
  }

  // ---- Timers -------------------------------------------------------------------------------------

  private timersOf(arn: string): ExecutionTimers {
    let timers = this.timers.get(arn);
    if (!timers) this.timers.set(arn, (timers = {}));
    return timers;
  }

  private armExecutionTimeout(execution: ExecutionRecord): void {
    if (execution.deadline === undefined) return;
    const timers = this.timersOf(execution.executionArn);
    if (timers.execution) timers.execution.cancel();
    const arn = execution.executionArn;
    timers.execution = this.clock.setTimeout(() => this.onExecutionTimeout(arn), execution.deadline - this.clock.now());
  }

  private armStateTimer(execution: ExecutionRecord, at: number, fire: () => void): void {
    const timers = this.timersOf(execution.executionArn);
    if (timers.state) timers.state.cancel();
    timers.state = this.clock.setTimeout(() => {
      delete timers.state;
      fire();
    }, at - this.clock.now());
  }

  /** Arms the current attempt's timeout and heartbeat timers from the deadlines it stores. */
  private armAttemptTimers(execution: ExecutionRecord): void {
    const arn = execution.executionArn;
    const attempt = execution.position?.attempt;
    if (!attempt) return;
    this.clearAttemptTimers(arn);
    const timers = this.timersOf(arn);
    const now = this.clock.now();
    if (attempt.deadline !== undefined) {
      timers.timeout = this.clock.setTimeout(
        () => this.onAttemptTimeout(arn, attempt.id, new StatesTimeoutError(`The task ran longer than its ${attempt.timeoutSeconds} seconds`)),
        attempt.deadline - now,
      );
    }
    if (attempt.heartbeatDeadline !== undefined) {
      timers.heartbeat = this.clock.setTimeout(
        () => this.onAttemptTimeout(arn, attempt.id, new StatesHeartbeatTimeoutError(`No heartbeat within the task's ${attempt.heartbeatSeconds} seconds`)),
        attempt.heartbeatDeadline - now,
      );
    }
  }

  private clearAttemptTimers(arn: string): void {
    const timers = this.timers.get(arn);
    if (!timers) return;
    timers.timeout?.cancel();
    timers.heartbeat?.cancel();
    delete timers.timeout;
    delete timers.heartbeat;
  }

  private clearTimers(arn: string): void {
    const timers = this.timers.get(arn);
    if (!timers) return;
    for (const handle of Object.values(timers)) handle?.cancel();
    this.timers.delete(arn);
  }

  // ---- Helpers ------------------------------------------------------------------------------------

  /** The running execution whose callback task holds `token`, or the error AWS answers. */
  private openTask(token: string): ExecutionRecord {
    if (!isWellFormedToken(token)) throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    const arn = this.tokens.get(token);
    if (!arn) throw new AwsServiceError('TaskDoesNotExist', 'Task Does Not Exist');
    const execution = this.executions.get(arn);
    const attempt = execution?.position?.attempt;
    if (!execution || execution.status !== 'RUNNING' || attempt?.token !== token) {
      throw new AwsServiceError('TaskTimedOut', ERROR_NO_TASK);
    }
    return execution;
  }

  private running(arn: string): ExecutionRecord | undefined {
    if (this.closed) return undefined;
    const execution = this.executions.get(arn);
    return execution?.status === 'RUNNING' ? execution : undefined;
  }

  private currentAttempt(arn: string, attemptId: string): ExecutionRecord | undefined {
    const execution = this.running(arn);
    return execution?.position?.attempt?.id === attemptId ? execution : undefined;
  }

  private definitionOf(execution: ExecutionRecord): StateMachineDefinition {
    let definition = this.definitions.get(execution.executionArn);
    if (!definition) {
      definition = parseDefinition(execution.definition);
      this.definitions.set(execution.executionArn, definition);
    }
    return definition;
  }

  private stateOf(execution: ExecutionRecord): State {
    return this.definitionOf(execution).States[execution.position!.stateName]!;
  }

  private resourceOf(execution: ExecutionRecord): ParsedResource {
    return parseResource((this.stateOf(execution) as TaskState).Resource)!;
  }

  private contextFor(execution: ExecutionRecord, position: ExecutionPosition, taskToken?: string): JsonValue {
    return contextObject({
      executionArn: execution.executionArn,
      executionName: execution.name,
      input: JSON.parse(execution.input) as JsonValue,
      roleArn: execution.roleArn,
      startDate: execution.startDate,
      stateMachineArn: execution.stateMachineArn,
      stateMachineName: execution.stateMachineName,
      stateName: position.stateName,
      stateEnteredAt: position.enteredAt,
      retryCount: position.retryCount,
      ...(taskToken !== undefined ? { taskToken } : {}),
    });
  }

  private emit(execution: ExecutionRecord, type: HistoryEventType, details: HistoryEventDetails): void {
    const previous = execution.events.at(-1);
    execution.events.push({ timestamp: this.clock.now(), type, id: (previous?.id ?? 0) + 1, previousEventId: previous?.id ?? 0, ...details });
  }

  private save(execution: ExecutionRecord): void {
    if (!this.closed) this.store.saveExecution(execution);
  }
}

/** A fresh, unguessable task token. */
function newTaskToken(): string {
  return TASK_TOKEN_PREFIX + randomBytes(TASK_TOKEN_RANDOM_BYTES).toString('base64url');
}

/** Whether a string has the form of a token this service issues. */
export function isWellFormedToken(token: string): boolean {
  return token.length <= MAX_TASK_TOKEN_LENGTH && token.startsWith(TASK_TOKEN_PREFIX) && /^[A-Za-z0-9_-]+$/.test(token);
}

function resourceFields(resource: ParsedResource): { resourceType: string; resource: string } {
  return { resourceType: resource.resourceType, resource: resource.resourceName };
}

/** What TaskSubmitted records of a send: the service's answer without a Lambda payload (which may echo the token). */
function submittedOutput(result: JsonValue): JsonValue {
  if (!isJsonObject(result)) return result;
  const { Payload: _payload, ...rest } = result;
  return rest;
}

function asStatesError(error: unknown, fallbackName: string = STATES_ERRORS.Runtime): StatesError {
  if (error instanceof StatesError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StatesError(fallbackName, message, { cause: error });
}

function parseDefinition(text: string): StateMachineDefinition {
  return JSON.parse(text) as StateMachineDefinition;
}

function assertRunnable(definition: string): void {
  const { problems } = checkDefinition(definition);
  if (problems.length > 0) throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${problems.join('; ')}'`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
