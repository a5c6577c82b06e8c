/**
 * Durable state of the service: one JSON file per state machine and one per execution (its record,
 * position and full history), each written atomically (a temporary file, then rename), and the same in
 * memory for the engine and the provider to read.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from './history.ts';
import type { JsonValue } from './json.ts';

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  creationDate: number;
  updateDate?: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One attempt of a Task state in flight or waiting for its callback. */
export interface TaskAttempt {
  /** Tells a late result of an earlier attempt from this one's. */
  id: string;
  parameters: JsonValue;
  token?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** When the attempt times out (States.Timeout), ms since the epoch. */
  deadline?: number;
  /** When a callback without heartbeat times out (States.Timeout, as AWS records a missed heartbeat). */
  heartbeatDeadline?: number;
}

/** Where a running execution is: enough to continue it after a restart. */
export interface ExecutionPosition {
  stateName: string;
  enteredAt: number;
  /** The state's raw input. */
  input: JsonValue;
  /**
   * `waiting`: a Wait state until `waitUntil`; `retrying`: a Task between attempts until `retryAt`;
   * `task`: a resource call in flight; `callback`: the token was sent, waiting for SendTask*.
   */
  phase: 'waiting' | 'retrying' | 'task' | 'callback';
  retryCount: number;
  /** Retries used so far, per retrier of the state. */
  retrierAttempts: number[];
  waitUntil?: number;
  waitOutput?: JsonValue;
  waitNext?: string | null;
  retryAt?: number;
  attempt?: TaskAttempt;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The definition the execution started with (an update does not change running executions). */
  definition: string;
  roleArn: string;
  /** When the execution times out (the definition's TimeoutSeconds). */
  deadline?: number;
  position?: ExecutionPosition;
  /** Every task token issued to this execution (closed ones answer TaskTimedOut). */
  tokens: string[];
  events: HistoryEvent[];
}

/**
 * The service's state: state machines, executions and the task tokens issued to them, in memory and on
 * disk. Loaded from the directory when built; each put writes its file before it returns.
 */
export class StepFunctionsStore {
  private readonly machinesDir: string;
  private readonly executionsDir: string;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  /** Task token → the ARN of the execution it was issued to. */
  private readonly tokens = new Map<string, string>();
  private writes = 0;

  constructor(dataDir: string) {
    this.machinesDir = join(dataDir, 'state-machines');
    this.executionsDir = join(dataDir, 'executions');
    mkdirSync(this.machinesDir, { recursive: true });
    mkdirSync(this.executionsDir, { recursive: true });
    for (const machine of this.readAll<StateMachineRecord>(this.machinesDir)) this.machines.set(machine.stateMachineArn, machine);
    for (const execution of this.readAll<ExecutionRecord>(this.executionsDir)) {
      this.executions.set(execution.executionArn, execution);
      for (const token of execution.tokens) this.tokens.set(token, execution.executionArn);
    }
  }

  // ---- State machines ------------------------------------------------------------------------------

  stateMachine(arn: string): StateMachineRecord | undefined {
    return this.machines.get(arn);
  }

  stateMachines(): StateMachineRecord[] {
    return [...this.machines.values()];
  }

  /** Keeps a new or changed state machine, and writes its file. */
  putStateMachine(record: StateMachineRecord): void {
    this.writeAtomically(join(this.machinesDir, fileName(record.name)), record);
    this.machines.set(record.stateMachineArn, record);
  }

  deleteStateMachine(record: StateMachineRecord): void {
    rmSync(join(this.machinesDir, fileName(record.name)), { force: true });
    this.machines.delete(record.stateMachineArn);
  }

  // ---- Executions ----------------------------------------------------------------------------------

  execution(arn: string): ExecutionRecord | undefined {
    return this.executions.get(arn);
  }

  executionsList(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  /** Keeps a new execution in memory (saveExecution writes it). */
  addExecution(record: ExecutionRecord): void {
    this.executions.set(record.executionArn, record);
  }

  /** Writes an execution's file (its record, position and history). */
  saveExecution(record: ExecutionRecord): void {
    this.writeAtomically(join(this.executionsDir, fileName(`${record.stateMachineName}:${record.name}`)), record);
  }

  /** Records a task token issued to an execution. */
  addToken(token: string, executionArn: string): void {
    this.tokens.set(token, executionArn);
  }

  /** The ARN of the execution a task token was issued to. */
  executionArnOfToken(token: string): string | undefined {
    return this.tokens.get(token);
  }

  private readAll<T>(dir: string): T[] {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as T);
  }

  private writeAtomically(path: string, value: unknown): void {
    const temporary = `${path}.${process.pid}.${++this.writes}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, path);
  }
}

function fileName(name: string): string {
  return `${encodeURIComponent(name)}.json`;
}
