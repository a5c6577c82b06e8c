/**
 * Task states, attempt by attempt: an attempt plans its parameters and deadlines (states/task-state.ts),
 * records its scheduled and started events, arms its timeout and heartbeat timers, and calls its resource.
 * Its answer (a result, an error, a timeout, or for a callback task SendTask*) is applied only while it is
 * still the execution's current attempt. An error goes to the state's retriers (a timer until the next
 * attempt), then its catchers, else the execution fails: the run loop (run-loop.ts) goes on from there.
 */
import { randomUUID } from 'node:crypto';
import { flushAsync } from '#local-cloud/clock';
import type { State, TaskState } from './asl-types.ts';
import { STATES_ERRORS } from './constants.ts';
import { asStatesError, StatesError, StatesTimeoutError } from './errors.ts';
import type { ExecutionRuntime } from './execution-runtime.ts';
import { NOT_TRUNCATED, type HistoryEventDetails } from './history.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { applyResultPath } from './paths.ts';
import { canRetry, findCatcher, findRetrier, retryDelayMs } from './retry-policy.ts';
import { planTaskAttempt, taskOutput } from './states/index.ts';
import type { ExecutionPosition, ExecutionRecord } from './store.ts';
import { parseResource, type ParsedResource, type TaskResources } from './task-resources.ts';
import { newTaskToken } from './task-tokens.ts';

/** What the task attempts hand back to the run loop once a Task state is done with. */
export interface RunLoopSteps {
  exitState(execution: ExecutionRecord, state: State, name: string, output: JsonValue): void;
  enterState(execution: ExecutionRecord, stateName: string, input: JsonValue): void;
  succeedExecution(execution: ExecutionRecord, output: JsonValue): void;
  failExecution(execution: ExecutionRecord, error: StatesError): void;
}

export class TaskAttempts {
  /** The resource call of each attempt in flight, to abandon it. */
  private readonly inFlight = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<unknown>>();
  private settledCalls = 0;

  constructor(
    private readonly runtime: ExecutionRuntime,
    private readonly resources: TaskResources,
    /** Share of the delay JitterStrategy FULL keeps. */
    private readonly random: () => number,
    private readonly steps: RunLoopSteps,
  ) {}

  /** Schedules one attempt of the current Task state and calls its resource. */
  start(execution: ExecutionRecord): void {
    const position = execution.position!;
    const state = this.runtime.stateOf(execution) as TaskState;
    const resource = parseResource(state.Resource)!;
    const token = resource.callback ? newTaskToken() : undefined;
    let plan;
    try {
      plan = planTaskAttempt(state, position.input, this.runtime.contextFor(execution, position, token));
    } catch (error) {
      return this.failed(execution, asStatesError(error));
    }
    const now = this.runtime.clock.now();
    position.phase = 'task';
    position.attempt = { id: randomUUID(), parameters: plan.parameters };
    const attempt = position.attempt;
    if (token !== undefined) {
      attempt.token = token;
      execution.tokens.push(token);
      this.runtime.store.addToken(token, execution.executionArn);
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
      this.runtime.emit(execution, 'LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: details });
      this.runtime.emit(execution, 'LambdaFunctionStarted', {});
    } else {
      const details: NonNullable<HistoryEventDetails['taskScheduledEventDetails']> = {
        ...resourceFields(resource),
        region: this.runtime.region,
        parameters: JSON.stringify(plan.parameters),
      };
      if (plan.timeoutSeconds !== undefined) details.timeoutInSeconds = plan.timeoutSeconds;
      if (attempt.heartbeatSeconds !== undefined) details.heartbeatInSeconds = attempt.heartbeatSeconds;
      this.runtime.emit(execution, 'TaskScheduled', { taskScheduledEventDetails: details });
      this.runtime.emit(execution, 'TaskStarted', { taskStartedEventDetails: resourceFields(resource) });
    }
    this.armTimers(execution);
    this.invoke(execution);
  }

  /** Calls the current attempt's resource; its answer is applied only if the attempt is still current. */
  invoke(execution: ExecutionRecord): void {
    const position = execution.position!;
    const attempt = position.attempt!;
    const resource = this.runtime.resourceOf(execution);
    const controller = new AbortController();
    this.inFlight.set(attempt.id, controller);
    const invocation = {
      resource: resource.arn,
      parsed: resource,
      parameters: attempt.parameters,
      signal: controller.signal,
      executionArn: execution.executionArn,
      roleArn: execution.roleArn,
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

  /** Arms the current attempt's timeout and heartbeat timers from the deadlines it stores. */
  armTimers(execution: ExecutionRecord): void {
    const arn = execution.executionArn;
    const attempt = execution.position?.attempt;
    if (!attempt) return;
    this.runtime.timers.armAttemptTimers(
      arn,
      attempt,
      () => this.onTimeout(arn, attempt.id, new StatesTimeoutError(`The task ran longer than its ${attempt.timeoutSeconds} seconds`)),
      () => this.onTimeout(arn, attempt.id, new StatesTimeoutError(`No heartbeat within the task's ${attempt.heartbeatSeconds} seconds`)),
    );
  }

  /** SendTaskSuccess: the callback task succeeds with `output` (its text and its parsed value). */
  callbackSucceeded(execution: ExecutionRecord, output: string, parsed: JsonValue): void {
    const position = execution.position!;
    const resource = this.runtime.resourceOf(execution);
    this.runtime.timers.clearAttemptTimers(execution.executionArn);
    this.runtime.emit(execution, 'TaskSucceeded', {
      taskSucceededEventDetails: { ...resourceFields(resource), output, outputDetails: NOT_TRUNCATED },
    });
    this.complete(execution, position, parsed);
  }

  /** SendTaskFailure: the callback task fails with `error` and `cause`. */
  callbackFailed(execution: ExecutionRecord, error?: string, cause?: string): void {
    const resource = this.runtime.resourceOf(execution);
    this.runtime.timers.clearAttemptTimers(execution.executionArn);
    this.runtime.emit(execution, 'TaskFailed', {
      taskFailedEventDetails: { ...resourceFields(resource), error: error ?? '', cause: cause ?? '' },
    });
    this.failed(execution, new StatesError(error ?? '', cause ?? ''));
  }

  /** SendTaskHeartbeat: restarts the heartbeat clock; false when the task has no HeartbeatSeconds (nothing changed). */
  heartbeat(execution: ExecutionRecord): boolean {
    const attempt = execution.position!.attempt!;
    if (attempt.heartbeatSeconds === undefined) return false;
    attempt.heartbeatDeadline = this.runtime.clock.now() + attempt.heartbeatSeconds * 1000;
    this.armTimers(execution);
    return true;
  }

  /** The next attempt after a retrier's delay. */
  retry(arn: string): void {
    const execution = this.runtime.running(arn);
    if (!execution || execution.position?.phase !== 'retrying') return;
    delete execution.position.retryAt;
    this.start(execution);
    this.runtime.save(execution);
  }

  /** Abandons the resource call of an attempt (its answer will be dropped). */
  abandon(attemptId: string, reason: Error): void {
    this.inFlight.get(attemptId)?.abort(reason);
  }

  /** Abandons every resource call in flight. */
  abandonAll(reason: Error): void {
    for (const controller of this.inFlight.values()) controller.abort(reason);
    this.inFlight.clear();
  }

  /**
   * Resolves once the calls started have run: none is pending, or the calls still pending made no progress
   * through a round of the event loop (a call that never answers, in tests).
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      const before = this.settledCalls;
      await flushAsync();
      if (this.pending.size === 0 || this.settledCalls === before) return;
    }
  }

  private onResourceResult(arn: string, attemptId: string, result: JsonValue): void {
    const execution = this.runtime.currentAttempt(arn, attemptId);
    if (!execution) return;
    const position = execution.position!;
    const resource = this.runtime.resourceOf(execution);
    if (resource.callback) {
      position.phase = 'callback';
      this.runtime.emit(execution, 'TaskSubmitted', {
        taskSubmittedEventDetails: { ...resourceFields(resource), output: JSON.stringify(submittedOutput(result)), outputDetails: NOT_TRUNCATED },
      });
    } else {
      this.runtime.timers.clearAttemptTimers(arn);
      if (resource.kind === 'lambdaFunction') {
        this.runtime.emit(execution, 'LambdaFunctionSucceeded', {
          lambdaFunctionSucceededEventDetails: { output: JSON.stringify(result), outputDetails: NOT_TRUNCATED },
        });
      } else {
        this.runtime.emit(execution, 'TaskSucceeded', {
          taskSucceededEventDetails: { ...resourceFields(resource), output: JSON.stringify(result), outputDetails: NOT_TRUNCATED },
        });
      }
      this.complete(execution, position, result);
    }
    this.runtime.save(execution);
  }

  private onResourceError(arn: string, attemptId: string, thrown: unknown): void {
    const execution = this.runtime.currentAttempt(arn, attemptId);
    if (!execution) return;
    const error = asStatesError(thrown, STATES_ERRORS.TaskFailed);
    const resource = this.runtime.resourceOf(execution);
    this.runtime.timers.clearAttemptTimers(arn);
    if (resource.kind === 'lambdaFunction') {
      this.runtime.emit(execution, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: error.name, cause: error.stateCause } });
    } else {
      this.runtime.emit(execution, 'TaskFailed', {
        taskFailedEventDetails: { ...resourceFields(resource), error: error.name, cause: error.stateCause },
      });
    }
    this.failed(execution, error);
    this.runtime.save(execution);
  }

  /** The attempt timed out or missed its heartbeat: both are States.Timeout, as AWS records them. */
  private onTimeout(arn: string, attemptId: string, error: StatesError): void {
    const execution = this.runtime.currentAttempt(arn, attemptId);
    if (!execution) return;
    this.inFlight.get(attemptId)?.abort(error);
    this.runtime.timers.clearAttemptTimers(arn);
    const resource = this.runtime.resourceOf(execution);
    if (resource.kind === 'lambdaFunction') {
      this.runtime.emit(execution, 'LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error: error.name, cause: error.stateCause } });
    } else {
      this.runtime.emit(execution, 'TaskTimedOut', {
        taskTimedOutEventDetails: { ...resourceFields(resource), error: error.name, cause: error.stateCause },
      });
    }
    this.failed(execution, error);
    this.runtime.save(execution);
  }

  /** A task's result: its output, then the next state. */
  private complete(execution: ExecutionRecord, position: ExecutionPosition, result: JsonValue): void {
    const state = this.runtime.stateOf(execution) as TaskState;
    delete position.attempt;
    let output: JsonValue;
    try {
      output = taskOutput(state, position.input, result, this.runtime.contextFor(execution, position));
    } catch (error) {
      return this.failed(execution, asStatesError(error));
    }
    this.steps.exitState(execution, state, position.stateName, output);
    if (state.End || state.Next === undefined) this.steps.succeedExecution(execution, output);
    else this.steps.enterState(execution, state.Next, output);
  }

  /** A task's error: the first matching retrier with attempts left, else the first matching catcher, else the execution fails. */
  private failed(execution: ExecutionRecord, error: StatesError): void {
    const position = execution.position!;
    const state = this.runtime.stateOf(execution) as TaskState;
    delete position.attempt;
    const retrierIndex = findRetrier(state.Retry, error.name);
    const retrier = state.Retry?.[retrierIndex];
    const used = position.retrierAttempts[retrierIndex] ?? 0;
    if (retrier && canRetry(retrier, used)) {
      const delay = retryDelayMs(retrier, used, this.random);
      position.retrierAttempts[retrierIndex] = used + 1;
      position.retryCount += 1;
      position.phase = 'retrying';
      position.retryAt = this.runtime.clock.now() + delay;
      const arn = execution.executionArn;
      this.runtime.timers.armStateTimer(arn, position.retryAt, () => this.retry(arn));
      return;
    }
    const catcher = findCatcher(state.Catch, error.name);
    if (!catcher) return this.steps.failExecution(execution, error);
    let output: JsonValue;
    try {
      output = applyResultPath(position.input, { Error: error.name, Cause: error.stateCause }, catcher.ResultPath);
    } catch (resultPathError) {
      return this.steps.failExecution(execution, asStatesError(resultPathError));
    }
    this.steps.exitState(execution, state, position.stateName, output);
    this.steps.enterState(execution, catcher.Next, output);
  }
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
