/** The local ECS service's resources as it keeps them (timestamps in epoch milliseconds). */

export interface KeyValuePair {
  name: string;
  value: string;
}

export interface Tag {
  key: string;
  value: string;
}

export interface LogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  environment?: KeyValuePair[];
  essential?: boolean;
  stopTimeout?: number;
  workingDirectory?: string;
  logConfiguration?: LogConfiguration;
  cpu?: number;
  memory?: number;
  [other: string]: unknown;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containerDefinitions: ContainerDefinition[];
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  tags?: Tag[];
  [other: string]: unknown;
}

export interface Cluster {
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE';
  tags?: Tag[];
  settings?: { name: string; value: string }[];
}

export interface ContainerOverride {
  name?: string;
  command?: string[];
  environment?: KeyValuePair[];
}

export interface TaskOverrides {
  containerOverrides?: ContainerOverride[];
  [other: string]: unknown;
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface TaskContainer {
  containerArn: string;
  name: string;
  image: string;
  essential: boolean;
  lastStatus: TaskStatus;
  exitCode?: number;
  /** The local process id, as a string (Docker's container id on AWS). */
  runtimeId?: string;
  /** The process's start time (`/proc/<pid>/stat` field 22), to recognise it after a restart. */
  processStartTicks?: string;
  reason?: string;
}

export interface Task {
  taskArn: string;
  taskId: string;
  /** The task's private temporary directory (its containers' TMPDIR), removed when it stops. Local only. */
  scratchDir?: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  launchType: string;
  group: string;
  startedBy?: string;
  cpu?: string;
  memory?: string;
  overrides: TaskOverrides;
  tags: Tag[];
  containers: TaskContainer[];
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  /** Incremented on every change, as ECS's `version`. */
  version: number;
  networkConfiguration?: unknown;
}
