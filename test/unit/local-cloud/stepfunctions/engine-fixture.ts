/** A StepFunctionsEngine on a temporary directory with a manual clock and scripted task resources. */
import { ManualClock } from '#test/fixtures/local-cloud/manual-clock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  StepFunctionsEngine,
  type JsonValue,
  type TaskInvocation,
  type TaskResources,
} from '#local-cloud/services/stepfunctions/index';

export type Script = (invocation: TaskInvocation) => JsonValue | Promise<JsonValue>;

export class EngineFixture {
  readonly clock = new ManualClock(Date.UTC(2026, 10, 1));
  readonly dataDir = mkdtempSync(join(tmpdir(), 'sfn-engine-'));
  readonly invocations: TaskInvocation[] = [];
  /** What each resource call does; by default it echoes its parameters. */
  script: Script = (invocation) => invocation.parameters;
  readonly resources: TaskResources = {
    invoke: async (invocation) => {
      this.invocations.push(invocation);
      return this.script(invocation);
    },
  };
  engine = this.newEngine();

  newEngine(): StepFunctionsEngine {
    return new StepFunctionsEngine({ dataDir: this.dataDir, clock: this.clock, resources: this.resources });
  }

  /** Closes the engine and opens a new one on the same files, as a restart of the local cloud does. */
  restart(): StepFunctionsEngine {
    this.engine.close();
    this.engine = this.newEngine();
    this.engine.resume();
    return this.engine;
  }

  /** Creates a state machine from a definition object and starts one execution. */
  async run(definition: object, input: unknown = {}, name = 'exec-1'): Promise<string> {
    const machine = this.engine.stateMachines.create({ name: `sm-${name}`, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/r' });
    const { executionArn } = this.engine.startExecution({ stateMachineArn: machine.stateMachineArn, name, input: JSON.stringify(input) });
    await this.engine.whenIdle();
    return executionArn;
  }

  async advance(seconds: number): Promise<void> {
    await this.clock.advance(seconds * 1000, () => this.engine.whenIdle());
  }

  types(arn: string): string[] {
    return this.engine.getExecutionHistory(arn).map((e) => e.type);
  }

  describe(arn: string) {
    return this.engine.describeExecution(arn);
  }

  dispose(): void {
    this.engine.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A promise that never settles: a call still in flight. */
export const never = <T>() => new Promise<T>(() => {});
