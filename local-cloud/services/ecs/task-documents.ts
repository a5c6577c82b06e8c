/** How ECS shows a task: in API answers (epoch seconds), in `ECS Task State Change` events (ISO times), and at the metadata endpoint. */
import type { BusEvent } from '#local-cloud/gateway/internal';
import type { Cluster, Task, TaskContainer, TaskDefinition } from './model.ts';

const AVAILABILITY_ZONE_SUFFIX = 'a';

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Drops undefined fields, so answers carry only what is known (as AWS's do). */
function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

function apiContainer(task: Task, container: TaskContainer): Record<string, unknown> {
  return defined({
    containerArn: container.containerArn,
    taskArn: task.taskArn,
    name: container.name,
    image: container.image,
    lastStatus: container.lastStatus,
    exitCode: container.exitCode,
    reason: container.reason,
    runtimeId: container.runtimeId,
    networkInterfaces: [],
    healthStatus: 'UNKNOWN',
  });
}

/** A task as DescribeTasks, RunTask and StopTask answer it. */
export function apiTask(task: Task, region: string): Record<string, unknown> {
  return defined({
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    launchType: task.launchType,
    platformVersion: task.launchType === 'FARGATE' ? '1.4.0' : undefined,
    availabilityZone: `${region}${AVAILABILITY_ZONE_SUFFIX}`,
    cpu: task.cpu,
    memory: task.memory,
    group: task.group,
    startedBy: task.startedBy,
    overrides: { containerOverrides: [], ...task.overrides },
    tags: task.tags,
    containers: task.containers.map((container) => apiContainer(task, container)),
    createdAt: seconds(task.createdAt),
    pullStartedAt: seconds(task.pullStartedAt),
    pullStoppedAt: seconds(task.pullStoppedAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    stoppedAt: seconds(task.stoppedAt),
    executionStoppedAt: seconds(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    connectivity: task.startedAt !== undefined ? 'CONNECTED' : undefined,
    version: task.version,
    attachments: [],
  });
}

/** The `ECS Task State Change` event for the task's current state. */
export function taskStateChangeEvent(task: Task, region: string, now: number): BusEvent {
  const detail = defined({
    ...apiTask(task, region),
    containers: task.containers.map((container) => apiContainer(task, container)),
    createdAt: iso(task.createdAt),
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    executionStoppedAt: iso(task.stoppedAt),
    updatedAt: new Date(now).toISOString(),
  });
  return { source: 'aws.ecs', detailType: 'ECS Task State Change', detail, resources: [task.taskArn], time: new Date(now) };
}

/** An API cluster document with its task counts. */
export function apiCluster(cluster: Cluster, tasks: Iterable<Task>): Record<string, unknown> {
  let running = 0;
  let pending = 0;
  for (const task of tasks) {
    if (task.clusterArn !== cluster.clusterArn) continue;
    if (task.lastStatus === 'RUNNING') running += 1;
    else if (task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING') pending += 1;
  }
  return {
    ...cluster,
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: 0,
    statistics: [],
    tags: cluster.tags ?? [],
    settings: cluster.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
}

/** An API task definition document (timestamps in seconds). */
export function apiTaskDefinition(definition: TaskDefinition): Record<string, unknown> {
  const { tags: _tags, ...rest } = definition;
  return { ...rest, registeredAt: definition.registeredAt / 1000, compatibilities: ['EC2', 'FARGATE'] };
}

/** A container's document at the task metadata endpoint (v4). */
export function containerMetadata(task: Task, container: TaskContainer, definition: TaskDefinition | undefined): Record<string, unknown> {
  const log = definition?.containerDefinitions.find((candidate) => candidate.name === container.name)?.logConfiguration;
  return defined({
    DockerId: container.runtimeId,
    Name: container.name,
    DockerName: `ecs-${task.family}-${container.name}`,
    Image: container.image,
    Labels: {
      'com.amazonaws.ecs.cluster': task.clusterArn,
      'com.amazonaws.ecs.container-name': container.name,
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.task-definition-family': task.family,
      'com.amazonaws.ecs.task-definition-version': String(definition?.revision ?? ''),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: container.lastStatus,
    ExitCode: container.exitCode,
    CreatedAt: iso(task.createdAt),
    StartedAt: iso(task.startedAt),
    Type: 'NORMAL',
    ContainerARN: container.containerArn,
    LogDriver: log?.logDriver,
    LogOptions: log?.options,
  });
}

/** The task's document at the task metadata endpoint (v4). */
export function taskMetadata(task: Task, definition: TaskDefinition | undefined, region: string): Record<string, unknown> {
  return defined({
    Cluster: task.clusterArn,
    TaskARN: task.taskArn,
    Family: task.family,
    Revision: String(definition?.revision ?? ''),
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: Number(task.cpu ?? 0) / 1024, Memory: Number(task.memory ?? 0) },
    PullStartedAt: iso(task.pullStartedAt),
    PullStoppedAt: iso(task.pullStoppedAt),
    AvailabilityZone: `${region}${AVAILABILITY_ZONE_SUFFIX}`,
    LaunchType: task.launchType,
    Containers: task.containers.map((container) => containerMetadata(task, container, definition)),
  });
}
