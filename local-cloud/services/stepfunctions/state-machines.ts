/**
 * State machines: CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines and
 * DeleteStateMachine over the store, with Step Functions' answers (an identical create is idempotent; a
 * definition this interpreter cannot run is InvalidDefinition). The provider calls these; the engine only
 * reads a state machine to start an execution of it.
 */
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import type { Clock } from '#local-cloud/clock';
import { checkDefinition } from './definition-check.ts';
import type { StateMachineRecord, StepFunctionsStore } from './store.ts';

/** The arguments of CreateStateMachine the service uses. */
export interface CreateStateMachineInput {
  name: string;
  definition: string;
  roleArn: string;
  type?: 'STANDARD' | 'EXPRESS';
}

export class StateMachines {
  constructor(
    private readonly store: StepFunctionsStore,
    private readonly clock: Clock,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** The ARN a state machine of this name has. */
  arnOf(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  /** Creates a state machine; the same name, definition and role again return the existing one. */
  create(input: CreateStateMachineInput): StateMachineRecord {
    const arn = this.arnOf(input.name);
    const existing = this.store.stateMachine(arn);
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
    this.store.putStateMachine(record);
    return record;
  }

  /** Replaces a state machine's definition or role; running executions keep the definition they started with. */
  update(arn: string, changes: { definition?: string; roleArn?: string }): StateMachineRecord {
    const record = this.describe(arn);
    if (changes.definition !== undefined) assertRunnable(changes.definition);
    const updated = { ...record, ...definedOnly(changes), updateDate: this.clock.now() };
    this.store.putStateMachine(updated);
    return updated;
  }

  describe(arn: string): StateMachineRecord {
    const record = this.store.stateMachine(arn);
    if (!record) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return record;
  }

  /** State machines, by name. */
  list(): StateMachineRecord[] {
    return this.store.stateMachines().sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes a state machine; its running executions run to their end. */
  delete(arn: string): void {
    const record = this.store.stateMachine(arn);
    if (record) this.store.deleteStateMachine(record);
  }
}

function assertRunnable(definition: string): void {
  const { problems } = checkDefinition(definition);
  if (problems.length > 0) throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${problems.join('; ')}'`);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
