/**
 * Durable state of the service: one JSON file per state machine and one per execution (its record,
 * position and full history), each written atomically (a temporary file, then rename).
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
  /** When a callback without heartbeat times out (States.HeartbeatTimeout). */
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

/** Reads and writes the service's files under one directory. */
export class StepFunctionsStore {
  private readonly machinesDir: string;
  private readonly executionsDir: string;
  private writes = 0;

  constructor(dataDir: string) {
    this.machinesDir = join(dataDir, 'state-machines');
    this.executionsDir = join(dataDir, 'executions');
    mkdirSync(this.machinesDir, { recursive: true });
    mkdirSync(this.executionsDir, { recursive: true });
  }

  /** Every stored state machine. */
  loadStateMachines(): StateMachineRecord[] {
    return this.readAll<StateMachineRecord>(this.machinesDir);
  }

  /** Every stored execution. */
  loadExecutions(): ExecutionRecord[] {
    return this.readAll<ExecutionRecord>(this.executionsDir);
  }

  saveStateMachine(record: StateMachineRecord): void {
    this.writeAtomically(join(this.machinesDir, fileName(record.name)), record);
  }

  deleteStateMachine(name: string): void {
    rmSync(join(this.machinesDir, fileName(name)), { force: true });
  }

  saveExecution(record: ExecutionRecord): void {
    this.writeAtomically(join(this.executionsDir, fileName(`${record.stateMachineName}:${record.name}`)), record);
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
