/**
 * The local ECS service's state: clusters, task definitions, tasks and RunTask's client tokens, persisted as one JSON file when a
 * file is given (tasks survive a restart), in memory otherwise.
 */
import { readStateFile, writeStateFile } from '#local-cloud/gateway/state-file';
import type { Cluster, Task, TaskDefinition } from './model.ts';

/** A RunTask answered for a client token: what it asked (to refuse the token with other parameters) and the tasks it started. */
export interface ClientTokenUse {
  /** `clusterArn` + the token: a token is idempotent per cluster. */
  key: string;
  /** The request's parameters other than the token, as canonical JSON. */
  request: string;
  taskArns: string[];
  /** When it was first used (ms since the epoch); forgotten after the token's lifetime. */
  usedAt: number;
}

interface StoredState {
  clusters: Cluster[];
  taskDefinitions: TaskDefinition[];
  tasks: Task[];
  clientTokens?: ClientTokenUse[];
}

export class EcsStore {
  readonly clusters = new Map<string, Cluster>();
  /** By ARN. */
  readonly taskDefinitions = new Map<string, TaskDefinition>();
  /** By ARN. */
  readonly tasks = new Map<string, Task>();
  /** RunTask's client tokens by cluster and token. */
  readonly clientTokens = new Map<string, ClientTokenUse>();

  constructor(private readonly file?: string) {
    const state = file ? readStateFile<StoredState>(file) : undefined;
    if (!state) return;
    for (const cluster of state.clusters) this.clusters.set(cluster.clusterName, cluster);
    for (const definition of state.taskDefinitions) this.taskDefinitions.set(definition.taskDefinitionArn, definition);
    for (const task of state.tasks) this.tasks.set(task.taskArn, task);
    for (const use of state.clientTokens ?? []) this.clientTokens.set(use.key, use);
  }

  /** The newest revision of a family. */
  latestRevision(family: string): TaskDefinition | undefined {
    let latest: TaskDefinition | undefined;
    for (const definition of this.taskDefinitions.values()) {
      if (definition.family === family && definition.status === 'ACTIVE' && (!latest || definition.revision > latest.revision)) latest = definition;
    }
    return latest;
  }

  nextRevision(family: string): number {
    let highest = 0;
    for (const definition of this.taskDefinitions.values()) if (definition.family === family) highest = Math.max(highest, definition.revision);
    return highest + 1;
  }

  /** Writes the state file (atomically: a temporary file renamed over the old one). */
  save(): void {
    if (!this.file) return;
    const state: StoredState = {
      clusters: [...this.clusters.values()],
      taskDefinitions: [...this.taskDefinitions.values()],
      tasks: [...this.tasks.values()],
      clientTokens: [...this.clientTokens.values()],
    };
    writeStateFile(this.file, state);
  }
}
