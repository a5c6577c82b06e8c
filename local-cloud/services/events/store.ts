/**
 * The local EventBridge's state: rules of the default bus and their targets, persisted as one JSON file
 * when a file is given (so rules survive a restart), in memory otherwise.
 */
import { readStateFile, writeStateFile } from '#local-cloud/gateway/state-file';

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface RuleTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  /** How long and how often a failed delivery is retried (EventBridge's default without it: 24 h, 185 retries). */
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** The SQS queue an event goes to when it cannot be delivered; dropped without it. */
  DeadLetterConfig?: { Arn?: string };
}

export interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  RoleArn?: string;
  Targets: RuleTarget[];
}

interface StoredState {
  rules: Rule[];
}

export class EventsStore {
  private readonly rules = new Map<string, Rule>();

  /** Loads the state file if there is one. */
  constructor(private readonly file?: string) {
    const state = file ? readStateFile<StoredState>(file) : undefined;
    if (!state) return;
    for (const rule of state.rules) this.rules.set(rule.Name, rule);
  }

  get(name: string): Rule | undefined {
    return this.rules.get(name);
  }

  list(): Rule[] {
    return [...this.rules.values()].sort((a, b) => a.Name.localeCompare(b.Name));
  }

  put(rule: Rule): void {
    this.rules.set(rule.Name, rule);
    this.save();
  }

  delete(name: string): void {
    this.rules.delete(name);
    this.save();
  }

  /** Writes the state file (atomically: a temporary file renamed over the old one). */
  save(): void {
    if (!this.file) return;
    writeStateFile(this.file, { rules: this.list() } satisfies StoredState);
  }
}
