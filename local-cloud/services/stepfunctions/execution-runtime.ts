/**
 * What the run loop (run-loop.ts) and the task attempts (task-attempts.ts) share about running executions:
 * the clock, the store, the timers, each execution's parsed definition, the context object (`$$`) of its
 * current state, and the history every change appends to.
 */
import type { Clock } from '#local-cloud/clock';
import type { State, StateMachineDefinition, TaskState } from './asl-types.ts';
import { contextObject } from './context-object.ts';
import type { ExecutionTimers } from './execution-timers.ts';
import type { HistoryEventDetails, HistoryEventType } from './history.ts';
import type { JsonValue } from './json.ts';
import type { ExecutionPosition, ExecutionRecord, StepFunctionsStore } from './store.ts';
import { parseResource, type ParsedResource } from './task-resources.ts';

/** A state machine definition's text, parsed (the definition was checked when the state machine was created). */
export function parseDefinition(text: string): StateMachineDefinition {
  return JSON.parse(text) as StateMachineDefinition;
}

export class ExecutionRuntime {
  /** Set once the engine closed: no timer or late answer changes an execution any more. */
  closed = false;
  private readonly definitions = new Map<string, StateMachineDefinition>();

  constructor(
    readonly clock: Clock,
    readonly store: StepFunctionsStore,
    readonly timers: ExecutionTimers,
    readonly region: string,
  ) {}

  /** The execution, if it is RUNNING (and the engine is open). */
  running(arn: string): ExecutionRecord | undefined {
    if (this.closed) return undefined;
    const execution = this.store.execution(arn);
    return execution?.status === 'RUNNING' ? execution : undefined;
  }

  /** The running execution, if `attemptId` is still its current task attempt (a late answer is dropped). */
  currentAttempt(arn: string, attemptId: string): ExecutionRecord | undefined {
    const execution = this.running(arn);
    return execution?.position?.attempt?.id === attemptId ? execution : undefined;
  }

  /** Keeps the parsed definition of a new execution. */
  remember(execution: ExecutionRecord, definition: StateMachineDefinition): void {
    this.definitions.set(execution.executionArn, definition);
  }

  definitionOf(execution: ExecutionRecord): StateMachineDefinition {
    let definition = this.definitions.get(execution.executionArn);
    if (!definition) {
      definition = parseDefinition(execution.definition);
      this.definitions.set(execution.executionArn, definition);
    }
    return definition;
  }

  /** The state the execution is in. */
  stateOf(execution: ExecutionRecord): State {
    return this.definitionOf(execution).States[execution.position!.stateName]!;
  }

  /** The resource of the Task state the execution is in. */
  resourceOf(execution: ExecutionRecord): ParsedResource {
    return parseResource((this.stateOf(execution) as TaskState).Resource)!;
  }

  /** The context object (`$$`) of the execution's current state. */
  contextFor(execution: ExecutionRecord, position: ExecutionPosition, taskToken?: string): JsonValue {
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

  /** Appends a history event, stamped with the clock. */
  emit(execution: ExecutionRecord, type: HistoryEventType, details: HistoryEventDetails): void {
    const previous = execution.events.at(-1);
    execution.events.push({ timestamp: this.clock.now(), type, id: (previous?.id ?? 0) + 1, previousEventId: previous?.id ?? 0, ...details });
  }

  /** Writes the execution's file (not after the engine closed: the files keep what was before). */
  save(execution: ExecutionRecord): void {
    if (!this.closed) this.store.saveExecution(execution);
  }
}
