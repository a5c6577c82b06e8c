/**
 * The timers of running executions, on the service's clock: each execution has at most one execution
 * timeout (the definition's TimeoutSeconds), one state timer (a Wait's end, or a Task's next retry) and
 * the current task attempt's timeout and heartbeat timers. Deadlines are stored in the execution's record;
 * these are only the armed timers, armed again from the record after a restart.
 */
import type { Clock, TimerHandle } from '#local-cloud/clock';

interface Timers {
  execution?: TimerHandle;
  state?: TimerHandle;
  timeout?: TimerHandle;
  heartbeat?: TimerHandle;
}

export class ExecutionTimers {
  private readonly byExecution = new Map<string, Timers>();

  constructor(private readonly clock: Clock) {}

  /** Arms (or re-arms) the execution's timeout at `deadline`. */
  armExecutionTimeout(arn: string, deadline: number, fire: () => void): void {
    const timers = this.timersOf(arn);
    if (timers.execution) timers.execution.cancel();
    timers.execution = this.clock.setTimeout(fire, deadline - this.clock.now());
  }

  /** Arms (or re-arms) the state timer: a Wait's end or a Task's next retry, at `at`. */
  armStateTimer(arn: string, at: number, fire: () => void): void {
    const timers = this.timersOf(arn);
    if (timers.state) timers.state.cancel();
    timers.state = this.clock.setTimeout(() => {
      delete timers.state;
      fire();
    }, at - this.clock.now());
  }

  /** Arms the current attempt's timeout and heartbeat timers (replacing any), from the deadlines it stores. */
  armAttemptTimers(
    arn: string,
    deadlines: { deadline?: number | undefined; heartbeatDeadline?: number | undefined },
    onTimeout: () => void,
    onHeartbeatTimeout: () => void,
  ): void {
    this.clearAttemptTimers(arn);
    const timers = this.timersOf(arn);
    const now = this.clock.now();
    if (deadlines.deadline !== undefined) timers.timeout = this.clock.setTimeout(onTimeout, deadlines.deadline - now);
    if (deadlines.heartbeatDeadline !== undefined) timers.heartbeat = this.clock.setTimeout(onHeartbeatTimeout, deadlines.heartbeatDeadline - now);
  }

  /** Cancels the current attempt's timeout and heartbeat timers. */
  clearAttemptTimers(arn: string): void {
    const timers = this.byExecution.get(arn);
    if (!timers) return;
    timers.timeout?.cancel();
    timers.heartbeat?.cancel();
    delete timers.timeout;
    delete timers.heartbeat;
  }

  /** Cancels every timer of an execution. */
  clear(arn: string): void {
    const timers = this.byExecution.get(arn);
    if (!timers) return;
    for (const handle of Object.values(timers)) handle?.cancel();
    this.byExecution.delete(arn);
  }

  /** Cancels every timer of every execution. */
  clearAll(): void {
    for (const arn of [...this.byExecution.keys()]) this.clear(arn);
  }

  private timersOf(arn: string): Timers {
    let timers = this.byExecution.get(arn);
    if (!timers) this.byExecution.set(arn, (timers = {}));
    return timers;
  }
}
