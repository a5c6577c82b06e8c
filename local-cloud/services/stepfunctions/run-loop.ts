/**
 * The run loop of an execution: enters states one after another, each run by its executor
 * (states/<type>-state.ts, dispatched by runStateHandler), records their entered and exited events, and
 * stops where the execution has to wait — a Wait state (a state timer), a Task (task-attempts.ts) — or
 * ends: succeeded, failed, timed out (the execution's own TimeoutSeconds) or aborted (StopExecution).
 */
import type { State } from './asl-types.ts';
import { MAX_HISTORY_EVENTS, STATES_ERRORS } from './constants.ts';
import { asStatesError, StatesError, StatesRuntimeError } from './errors.ts';
import type { ExecutionRuntime } from './execution-runtime.ts';
import { NOT_TRUNCATED, type HistoryEventDetails, type HistoryEventType } from './history.ts';
import type { JsonValue } from './json.ts';
import { runStateHandler } from './states/index.ts';
import type { ExecutionPosition, ExecutionRecord, ExecutionStatus } from './store.ts';
import { TaskAttempts, type RunLoopSteps } from './task-attempts.ts';
import type { TaskResources } from './task-resources.ts';

export class RunLoop implements RunLoopSteps {
  readonly attempts: TaskAttempts;

  constructor(
    private readonly runtime: ExecutionRuntime,
    resources: TaskResources,
    random: () => number,
  ) {
    this.attempts = new TaskAttempts(runtime, resources, random, this);
  }

  /** Runs a new execution: ExecutionStarted, its timeout armed, then its StartAt state. */
  begin(execution: ExecutionRecord, input: JsonValue): void {
    this.runtime.emit(execution, 'ExecutionStarted', {
      executionStartedEventDetails: { input: execution.input, inputDetails: NOT_TRUNCATED, roleArn: execution.roleArn },
    });
    this.armExecutionTimeout(execution);
    this.enterState(execution, this.runtime.definitionOf(execution).StartAt, input);
  }

  /** Continues a RUNNING execution after a restart, from the position its record keeps. */
  resume(execution: ExecutionRecord): void {
    this.armExecutionTimeout(execution);
    const position = execution.position;
    if (!position) return;
    const arn = execution.executionArn;
    const now = this.runtime.clock.now();
    switch (position.phase) {
      case 'waiting':
        this.runtime.timers.armStateTimer(arn, position.waitUntil ?? now, () => this.endWait(arn));
        break;
      case 'retrying':
        this.runtime.timers.armStateTimer(arn, position.retryAt ?? now, () => this.attempts.retry(arn));
        break;
      case 'task':
        this.attempts.armTimers(execution);
        this.attempts.invoke(execution);
        break;
      case 'callback':
        this.attempts.armTimers(execution);
        break;
    }
  }

  /** Enters `stateName` with `input` and runs states until one has to wait or the execution ends. */
  enterState(execution: ExecutionRecord, stateName: string, input: JsonValue): void {
    let name: string | null = stateName;
    let data = input;
    while (name !== null && execution.status === 'RUNNING') {
      const state: State | undefined = this.runtime.definitionOf(execution).States[name];
      if (!state) return this.failExecution(execution, new StatesRuntimeError(`The state ${name} does not exist`));
      if (execution.events.length >= MAX_HISTORY_EVENTS) {
        return this.failExecution(execution, new StatesRuntimeError(`The execution reached ${MAX_HISTORY_EVENTS} history events`));
      }
      this.runtime.emit(execution, `${state.Type}StateEntered` as HistoryEventType, {
        stateEnteredEventDetails: { name, input: JSON.stringify(data), inputDetails: NOT_TRUNCATED },
      });
      const position: ExecutionPosition = {
        stateName: name,
        enteredAt: this.runtime.clock.now(),
        input: data,
        phase: 'task',
        retryCount: 0,
        retrierAttempts: [],
      };
      execution.position = position;
      let action;
      try {
        action = runStateHandler(state, { input: data, context: this.runtime.contextFor(execution, position), now: this.runtime.clock.now() });
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
        case 'wait': {
          Object.assign(position, { phase: 'waiting', waitUntil: action.untilMs, waitOutput: action.output, waitNext: action.next });
          const arn = execution.executionArn;
          this.runtime.timers.armStateTimer(arn, action.untilMs, () => this.endWait(arn));
          return;
        }
        case 'task':
          return this.attempts.start(execution);
      }
    }
  }

  exitState(execution: ExecutionRecord, state: State, name: string, output: JsonValue): void {
    this.runtime.emit(execution, `${state.Type}StateExited` as HistoryEventType, {
      stateExitedEventDetails: { name, output: JSON.stringify(output), outputDetails: NOT_TRUNCATED },
    });
  }

  succeedExecution(execution: ExecutionRecord, output: JsonValue): void {
    const text = JSON.stringify(output);
    this.finish(execution, 'SUCCEEDED', 'ExecutionSucceeded', {
      executionSucceededEventDetails: { output: text, outputDetails: NOT_TRUNCATED },
    }, { output: text });
  }

  failExecution(execution: ExecutionRecord, error: StatesError): void {
    this.finish(execution, 'FAILED', 'ExecutionFailed', {
      executionFailedEventDetails: { error: error.name, cause: error.stateCause },
    }, { error: error.name, cause: error.stateCause });
  }

  /** StopExecution: the execution ends ABORTED. */
  abort(execution: ExecutionRecord, error?: string, cause?: string): void {
    const details: { error?: string; cause?: string } = {};
    if (error !== undefined) details.error = error;
    if (cause !== undefined) details.cause = cause;
    this.finish(execution, 'ABORTED', 'ExecutionAborted', { executionAbortedEventDetails: details }, { error, cause });
  }

  private endWait(arn: string): void {
    const execution = this.runtime.running(arn);
    const position = execution?.position;
    if (!execution || position?.phase !== 'waiting') return;
    const output = position.waitOutput ?? null;
    this.exitState(execution, this.runtime.stateOf(execution), position.stateName, output);
    if (position.waitNext == null) this.succeedExecution(execution, output);
    else this.enterState(execution, position.waitNext, output);
    this.runtime.save(execution);
  }

  private armExecutionTimeout(execution: ExecutionRecord): void {
    if (execution.deadline === undefined) return;
    const arn = execution.executionArn;
    this.runtime.timers.armExecutionTimeout(arn, execution.deadline, () => this.onExecutionTimeout(arn));
  }

  private onExecutionTimeout(arn: string): void {
    const execution = this.runtime.running(arn);
    if (!execution) return;
    const cause = 'The execution ran longer than the TimeoutSeconds of its state machine';
    this.finish(execution, 'TIMED_OUT', 'ExecutionTimedOut', {
      executionTimedOutEventDetails: { error: STATES_ERRORS.Timeout, cause },
    }, { error: STATES_ERRORS.Timeout, cause });
    this.runtime.save(execution);
  }

  private finish(
    execution: ExecutionRecord,
    status: ExecutionStatus,
    type: HistoryEventType,
    details: HistoryEventDetails,
    result: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    const attemptId = execution.position?.attempt?.id;
    if (attemptId) this.attempts.abandon(attemptId, new Error('The execution ended'));
    this.runtime.timers.clear(execution.executionArn);
    delete execution.position;
    execution.status = status;
    execution.stopDate = this.runtime.clock.now();
    if (result.output !== undefined) execution.output = result.output;
    if (result.error !== undefined) execution.error = result.error;
    if (result.cause !== undefined) execution.cause = result.cause;
    this.runtime.emit(execution, type, details);
  }
}
