/**
 * Local ECS: the JSON 1.1 `AmazonEC2ContainerServiceV20141113` API (signing name `ecs`). RunTask starts each
 * container of the task as a local child process (from an image-to-command map given at construction),
 * in its own process group; StopTask sends SIGTERM to the group and SIGKILL after the container's
 * `stopTimeout`. Containers find their task at the metadata endpoint (`ECS_CONTAINER_METADATA_URI_V4`),
 * served on loopback. Output goes to the awslogs group and stream of each container; every change of
 * `lastStatus` or `desiredStatus` is published as an `ECS Task State Change` event. Clusters, task
 * definitions and tasks are persisted; tasks left running by a previous run are reported STOPPED.
 *
 * LIMITATIONS
 * - Operations: CreateCluster, DescribeClusters, ListClusters, RegisterTaskDefinition,
 *   DescribeTaskDefinition, ListTaskDefinitions, RunTask, StopTask, ListTasks, DescribeTasks. No services,
 *   container instances, capacity providers, task sets, DeleteCluster or DeregisterTaskDefinition.
 * - An "image" is an entry of the image map (entryPoint/command/cwd/environment, like a Dockerfile's
 *   ENTRYPOINT/CMD/WORKDIR/ENV); no registry, no pulls, no isolation: containers share the host's network,
 *   file system and user, and get PATH, HOME and LANG of the host. As a container's own /tmp would, each task
 *   gets a private TMPDIR that goes with it when it stops (or, for a task a crash left behind, at recovery). cpu and memory are reported,
 *   not enforced. networkConfiguration is accepted and ignored (no ENI attachment, no IP addresses).
 * - Statuses go PROVISIONING → PENDING → RUNNING → STOPPED (no ACTIVATING, DEACTIVATING, STOPPING,
 *   DEPROVISIONING); a stopping task stays RUNNING with desiredStatus STOPPED until its processes exit.
 *   With `fargateStartup`, a FARGATE task waits out Fargate's provisioning and image pull first
 *   (fargate-startup.ts); a task stopped before it started goes STOPPED without running anything.
 * - RunTask's `clientToken` (up to 64 ASCII characters 33-126) is idempotent per cluster for 24 hours, as on
 *   AWS: the same token with the same parameters answers the tasks the first request started (starting none),
 *   with other parameters `ConflictException`.
 * - A task with a task role (`taskRoleArn` of the definition or the overrides) gets that role's temporary
 *   credentials from the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI and
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN, on the metadata server), never static keys; they stop working when
 *   the task stops. Without `roleCredentials` (or without a task role) containers get cloudEnvironment's
 *   keys. The execution role is recorded, not used (there are no image pulls or secrets to fetch).
 *   No health checks, dependsOn, secrets, volumes or port mappings.
 * - After a restart, a task's processes cannot be re-adopted: any still alive are killed and the task is
 *   reported STOPPED (`recoverAfterRestart`). Stopped tasks stay listed (AWS forgets them after about an hour).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import type { EventPublisher, LogSink } from '#local-cloud/gateway/internal';
import { answerJsonOperation, AwsServiceError, jsonError } from '#local-cloud/gateway/json-protocol';
import { ContainerProcess, ContainerStartError, processStartTicks, signalGroup, type ContainerLaunch } from './container-process.ts';
import { MetadataServer } from './metadata-server.ts';
import type { Cluster, ContainerDefinition, ContainerOverride, KeyValuePair, Tag, Task, TaskDefinition, TaskOverrides } from './model.ts';
import { EcsStore, type ClientTokenUse } from './store.ts';
import { apiCluster, apiTask, apiTaskDefinition, containerMetadata, taskMetadata, taskStateChangeEvent } from './task-documents.ts';
import { systemClock, type Clock } from '#local-cloud/clock';
import { StartupWaits, type FargateStartup } from './fargate-startup.ts';
import type { TemporaryCredentials } from '#local-cloud/iam/principals';

/** A task's handle on its role's credentials: the endpoint's id and the token that must accompany it. */
interface TaskCredentials {
  taskArn: string;
  roleArn: string;
  token: string;
}

/** What a local "image" runs, as a Dockerfile's ENTRYPOINT, CMD, WORKDIR and ENV would. */
export interface ContainerImage {
  entryPoint?: string[];
  command?: string[];
  cwd: string;
  environment?: Record<string, string>;
}

export interface EcsProviderOptions {
  /** Image name → what runs for it. */
  images: Record<string, ContainerImage>;
  logs: LogSink;
  /** Where task state changes are published (EventBridge's default bus). */
  events?: EventPublisher;
  /** Variables every container gets so its SDK clients reach the local cloud (AWS_ENDPOINT_URL, credentials). */
  cloudEnvironment?: Record<string, string>;
  /** Issues a task role's credentials (served at the container credentials endpoint) and ends them. */
  roleCredentials?: {
    current(roleArn: string, sessionName: string): TemporaryCredentials;
    end(roleArn: string, sessionName: string): void;
  };
  /** Directory of the local cloud's data; state is kept in `ecs.json` there. In memory without it. */
  dataDir?: string;
  region?: string;
  /** The time and the timers (the stop timeout's SIGKILL); the wall clock by default. */
  clock?: Clock;
  /** Host variables every container gets (default: PATH, HOME, LANG of this process). */
  hostEnvironment?: Record<string, string>;
  /** Fargate's start-up time, modelled for FARGATE tasks (fargate-startup.ts); tasks start at once without it. */
  fargateStartup?: FargateStartup;
}

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';
/** ECS's default stop timeout (seconds between SIGTERM and SIGKILL). */
const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
const DEFAULT_CLUSTER = 'default';
const MAX_RUN_TASK_COUNT = 10;
/** RunTask's client token: up to 64 ASCII characters in 33-126, remembered 24 hours (ECS_Idempotency). */
const CLIENT_TOKEN_PATTERN = /^[\x21-\x7e]{1,64}$/;
const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Operations that read or change tasks (they run the recovery of a previous run's tasks first). */
const TASK_OPERATIONS = new Set(['RunTask', 'StopTask', 'ListTasks', 'DescribeTasks']);
const ESSENTIAL_CONTAINER_EXITED = 'Essential container in task exited';
const RESTART_REASON = "The local cloud restarted: the task's processes were lost";
const SHUTDOWN_REASON = 'The local cloud stopped';

type Input = Record<string, unknown>;

interface RunningTask {
  processes: Map<string, ContainerProcess>;
  /** Settles when the task is STOPPED. */
  stopped: Promise<void>;
  markStopped: () => void;
}

function invalid(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message);
}

function environmentOf(pairs: KeyValuePair[] | undefined): Record<string, string> {
  return Object.fromEntries((pairs ?? []).map((pair) => [pair.name, pair.value]));
}

/** JSON with object keys sorted, so equal parameters compare equal whatever their order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function defaultHostEnvironment(): Record<string, string> {
  const names = ['PATH', 'HOME', 'LANG'];
  return Object.fromEntries(names.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]));
}

export class EcsProvider implements ServiceProvider {
  readonly signingNames = ['ecs'] as const;
  readonly targetPrefixes = [TARGET_PREFIX] as const;
  private readonly store: EcsStore;
  private readonly region: string;
  private readonly clock: Clock;
  private readonly now: () => number;
  private readonly metadata: MetadataServer;
  private readonly running = new Map<string, RunningTask>();
  private readonly startupWaits: StartupWaits;
  /** Credentials id (the endpoint path) → the task whose role it serves. */
  private readonly taskCredentials = new Map<string, TaskCredentials>();
  private readonly pendingWork = new Set<Promise<unknown>>();
  private readonly operations: Record<string, (input: Input) => unknown>;
  private recovered = false;
  private closing = false;

  constructor(private readonly options: EcsProviderOptions) {
    this.region = options.region ?? LOCAL_REGION;
    this.clock = options.clock ?? systemClock;
    this.now = () => this.clock.now();
    this.startupWaits = new StartupWaits(this.clock);
    this.store = new EcsStore(options.dataDir ? join(options.dataDir, 'ecs.json') : undefined);
    this.metadata = new MetadataServer({
      taskMetadata: (taskId) => {
        const task = this.taskById(taskId);
        return task && taskMetadata(task, this.store.taskDefinitions.get(task.taskDefinitionArn), this.region);
      },
      containerMetadata: (taskId, name) => {
        const task = this.taskById(taskId);
        const container = task?.containers.find((candidate) => candidate.name === name);
        return task && container && containerMetadata(task, container, this.store.taskDefinitions.get(task.taskDefinitionArn));
      },
      credentials: (credentialsId, authorization) => this.credentialsDocument(credentialsId, authorization),
    });
    this.operations = {
      CreateCluster: (input) => this.createCluster(input),
      DescribeClusters: (input) => this.describeClusters(input),
      ListClusters: () => ({ clusterArns: [...this.store.clusters.values()].map((cluster) => cluster.clusterArn) }),
      RegisterTaskDefinition: (input) => this.registerTaskDefinition(input),
      DescribeTaskDefinition: (input) => this.describeTaskDefinition(input),
      ListTaskDefinitions: (input) => this.listTaskDefinitions(input),
      RunTask: (input) => this.runTask(input),
      StopTask: (input) => this.stopTask(input),
      ListTasks: (input) => this.listTasks(input),
      DescribeTasks: (input) => this.describeTasks(input),
    };
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const target = request.headers['x-amz-target'] ?? '';
    const operation = target.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : '';
    const run = this.operations[operation];
    if (!run) return jsonError('UnknownOperationException', `Unknown operation ${target}`, 400, '1.1');
    // Only task operations need the tasks of a previous run settled. Cluster and task definition calls (a
    // deployment's) must not publish their STOPPED events before the deployment has created the rules'
    // targets: such an event would be lost, and a session waiting on air would hear of its lost controller
    // only through the heartbeat timeout.
    if (TASK_OPERATIONS.has(operation)) this.recoverAfterRestart();
    return answerJsonOperation(request.body, run, '1.1', { code: 'ServerException', message: 'The local ECS service failed to handle the request.' });
  }

  /**
   * Reports tasks a previous run left unfinished as STOPPED (killing any of their processes still alive)
   * and publishes their events. Runs once; call it when the event bus and its targets are ready (the first
   * task request runs it otherwise).
   */
  recoverAfterRestart(): void {
    if (this.recovered) return;
    this.recovered = true;
    for (const task of this.store.tasks.values()) {
      if (task.lastStatus === 'STOPPED' || this.running.has(task.taskArn)) continue;
      for (const container of task.containers) {
        const pid = Number(container.runtimeId);
        const same = container.processStartTicks !== undefined && processStartTicks(pid) === container.processStartTicks;
        if (pid > 0 && same) signalGroup(pid, 'SIGKILL');
        container.lastStatus = 'STOPPED';
      }
      const now = this.now();
      Object.assign(task, { desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: RESTART_REASON, stoppingAt: now });
      this.setStatus(task, 'STOPPED');
      this.removeScratch(task);
    }
  }

  /**
   * The task's private temporary directory (its containers' TMPDIR), made on first use. It lives in this
   * process's temporary directory, not the data directory: Chromium puts its socket there, and a Unix socket's
   * path is limited to 107 bytes.
   */
  private scratchOf(task: Task): string {
    task.scratchDir ??= mkdtempSync(join(tmpdir(), 'ecs-task-'));
    return task.scratchDir;
  }

  /**
   * Removes the task's scratch directory. Never throws: what the container started may still be dying and
   * writing into it (Chromium's helpers after the group's SIGKILL), so the removal retries a while, and a
   * directory that still cannot go is only reported.
   */
  private removeScratch(task: Task): void {
    const dir = task.scratchDir;
    if (!dir) return;
    this.track(
      rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch((error: unknown) =>
        process.stderr.write(`[ecs] could not remove ${dir}: ${(error as Error).message}\n`),
      ),
    );
  }

  /** Stops every task this provider started (SIGTERM, SIGKILL after the stop timeout) and returns once all are gone. */
  async close(): Promise<void> {
    this.closing = true;
    // Tasks still waiting out Fargate's start-up stop before they run anything.
    for (const taskArn of this.startupWaits.taskArns()) {
      const task = this.store.tasks.get(taskArn);
      if (task) this.requestStop(task, 'UserInitiated', SHUTDOWN_REASON);
    }
    while (this.pendingWork.size > 0) await Promise.allSettled([...this.pendingWork]);
    for (const [taskArn] of this.running) {
      const task = this.store.tasks.get(taskArn);
      if (task) this.requestStop(task, 'UserInitiated', SHUTDOWN_REASON);
    }
    await Promise.all([...this.running.values()].map((running) => running.stopped));
    while (this.pendingWork.size > 0) await Promise.allSettled([...this.pendingWork]);
    await this.metadata.close();
  }

  // Clusters

  private clusterArn(name: string): string {
    return `arn:aws:ecs:${this.region}:${LOCAL_ACCOUNT_ID}:cluster/${name}`;
  }

  private cluster(reference: unknown): Cluster {
    const name = typeof reference === 'string' && reference ? reference.split('/').pop()! : DEFAULT_CLUSTER;
    const cluster = this.store.clusters.get(name);
    if (!cluster) throw new AwsServiceError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  private createCluster(input: Input): unknown {
    const name = (input.clusterName as string | undefined) ?? DEFAULT_CLUSTER;
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw invalid('Cluster name can have up to 255 letters, numbers, hyphens and underscores.');
    let cluster = this.store.clusters.get(name);
    if (!cluster) {
      cluster = { clusterArn: this.clusterArn(name), clusterName: name, status: 'ACTIVE', tags: (input.tags as Tag[] | undefined) ?? [] };
      if (Array.isArray(input.settings)) cluster.settings = input.settings as Cluster['settings'];
      this.store.clusters.set(name, cluster);
      this.store.save();
    }
    return { cluster: apiCluster(cluster, this.store.tasks.values()) };
  }

  private describeClusters(input: Input): unknown {
    const references = (input.clusters as string[] | undefined) ?? [DEFAULT_CLUSTER];
    const clusters: unknown[] = [];
    const failures: unknown[] = [];
    for (const reference of references) {
      const cluster = this.store.clusters.get(reference.split('/').pop()!);
      if (cluster) clusters.push(apiCluster(cluster, this.store.tasks.values()));
      else failures.push({ arn: reference.startsWith('arn:') ? reference : this.clusterArn(reference), reason: 'MISSING' });
    }
    return { clusters, failures };
  }

  // Task definitions

  /** A task definition reference's ARN and roles (IAM evaluates RunTask on it); undefined when unknown. */
  taskDefinitionOf(reference: string): { arn: string; taskRoleArn?: string; executionRoleArn?: string } | undefined {
    try {
      const definition = this.taskDefinition(reference);
      return {
        arn: definition.taskDefinitionArn,
        ...(definition.taskRoleArn ? { taskRoleArn: definition.taskRoleArn } : {}),
        ...(definition.executionRoleArn ? { executionRoleArn: definition.executionRoleArn } : {}),
      };
    } catch {
      return undefined;
    }
  }

  private registerTaskDefinition(input: Input): unknown {
    const family = input.family;
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) throw new AwsServiceError('ClientException', 'Family is not valid.');
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) throw new AwsServiceError('ClientException', 'Container list cannot be empty.');
    for (const container of containers as ContainerDefinition[]) {
      if (!container.name) throw new AwsServiceError('ClientException', 'Container.name should not be null or empty.');
      if (!container.image) throw new AwsServiceError('ClientException', 'Container.image should not be null or empty.');
    }
    const revision = this.store.nextRevision(family);
    const { tags, ...rest } = input;
    const definition: TaskDefinition = {
      ...(rest as Partial<TaskDefinition>),
      family,
      containerDefinitions: containers as ContainerDefinition[],
      taskDefinitionArn: `arn:aws:ecs:${this.region}:${LOCAL_ACCOUNT_ID}:task-definition/${family}:${revision}`,
      revision,
      status: 'ACTIVE',
      registeredAt: this.now(),
      tags: (tags as Tag[] | undefined) ?? [],
    };
    this.store.taskDefinitions.set(definition.taskDefinitionArn, definition);
    this.store.save();
    return { taskDefinition: apiTaskDefinition(definition), tags: definition.tags };
  }

  private taskDefinition(reference: unknown): TaskDefinition {
    if (typeof reference !== 'string' || !reference) throw new AwsServiceError('ClientException', 'TaskDefinition can not be blank.');
    const familyRevision = reference.split('/').pop()!;
    const [family = '', revision] = familyRevision.split(':');
    const definition =
      revision === undefined
        ? this.store.latestRevision(family)
        : this.store.taskDefinitions.get(`arn:aws:ecs:${this.region}:${LOCAL_ACCOUNT_ID}:task-definition/${family}:${revision}`);
    if (!definition) throw new AwsServiceError('ClientException', 'Unable to describe task definition.');
    return definition;
  }

  private describeTaskDefinition(input: Input): unknown {
    const definition = this.taskDefinition(input.taskDefinition);
    const include = (input.include as string[] | undefined) ?? [];
    return { taskDefinition: apiTaskDefinition(definition), ...(include.includes('TAGS') ? { tags: definition.tags ?? [] } : {}) };
  }

  private listTaskDefinitions(input: Input): unknown {
    const prefix = input.familyPrefix as string | undefined;
    const status = (input.status as string | undefined) ?? 'ACTIVE';
    const definitions = [...this.store.taskDefinitions.values()]
      .filter((definition) => (prefix === undefined || definition.family.startsWith(prefix)) && (status === 'ALL' || definition.status === status))
      .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (input.sort === 'DESC') definitions.reverse();
    return { taskDefinitionArns: definitions.map((definition) => definition.taskDefinitionArn) };
  }

  // Tasks

  private taskById(taskId: string): Task | undefined {
    for (const task of this.store.tasks.values()) if (task.taskId === taskId) return task;
    return undefined;
  }

  private task(cluster: Cluster, reference: string): Task | undefined {
    const taskId = reference.split('/').pop()!;
    const task = this.taskById(taskId);
    return task && task.clusterArn === cluster.clusterArn ? task : undefined;
  }

  private runTask(input: Input): unknown {
    if (this.closing) throw new AwsServiceError('ServerException', 'The local ECS service is shutting down.', 500);
    const cluster = this.cluster(input.cluster);
    const definition = this.taskDefinition(input.taskDefinition);
    const count = (input.count as number | undefined) ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_RUN_TASK_COUNT) throw invalid('Count must be between 1 and 10.');
    const overrides = (input.overrides as TaskOverrides | undefined) ?? {};
    for (const override of overrides.containerOverrides ?? []) {
      if (!definition.containerDefinitions.some((container) => container.name === override.name)) {
        throw invalid(`Override for container named ${String(override.name)} is not a container in the TaskDefinition.`);
      }
    }
    const startedBy = input.startedBy as string | undefined;
    if (startedBy !== undefined && (typeof startedBy !== 'string' || startedBy.length > 128)) throw invalid('startedBy must be at most 128 characters.');
    const token = this.clientToken(cluster, input);
    if (token?.answered) return { tasks: token.answered.map((task) => apiTask(task, this.region)), failures: [] };
    const tasks: Task[] = [];
    for (let i = 0; i < count; i += 1) {
      const taskId = randomBytes(16).toString('hex');
      const task: Task = {
        taskArn: `arn:aws:ecs:${this.region}:${LOCAL_ACCOUNT_ID}:task/${cluster.clusterName}/${taskId}`,
        taskId,
        clusterArn: cluster.clusterArn,
        taskDefinitionArn: definition.taskDefinitionArn,
        family: definition.family,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        launchType: (input.launchType as string | undefined) ?? 'FARGATE',
        group: (input.group as string | undefined) ?? `family:${definition.family}`,
        ...(startedBy !== undefined ? { startedBy } : {}),
        ...(definition.cpu !== undefined ? { cpu: String(definition.cpu) } : {}),
        ...(definition.memory !== undefined ? { memory: String(definition.memory) } : {}),
        overrides,
        tags: (input.tags as Tag[] | undefined) ?? [],
        containers: definition.containerDefinitions.map((container) => ({
          containerArn: `arn:aws:ecs:${this.region}:${LOCAL_ACCOUNT_ID}:container/${cluster.clusterName}/${taskId}/${randomUUID()}`,
          name: container.name,
          image: container.image,
          essential: container.essential !== false,
          lastStatus: 'PENDING',
        })),
        createdAt: this.now(),
        version: 1,
        ...(input.networkConfiguration !== undefined ? { networkConfiguration: input.networkConfiguration } : {}),
      };
      this.store.tasks.set(task.taskArn, task);
      tasks.push(task);
      this.store.save();
      this.publish(task);
      this.track(this.launch(task, definition).catch((error: unknown) => this.failLaunch(task, `CannotStartContainerError: ${String(error)}`)));
    }
    if (token) {
      this.store.clientTokens.set(token.use.key, { ...token.use, taskArns: tasks.map((task) => task.taskArn) });
      this.store.save();
    }
    return { tasks: tasks.map((task) => apiTask(task, this.region)), failures: [] };
  }

  /**
   * RunTask's client token: undefined without one; the tasks a first request with it started (their state now)
   * when it is repeated with the same parameters; ConflictException when repeated with others.
   */
  private clientToken(cluster: Cluster, input: Input): { use: ClientTokenUse; answered?: Task[] } | undefined {
    const token = input.clientToken;
    if (token === undefined) return undefined;
    if (typeof token !== 'string' || !CLIENT_TOKEN_PATTERN.test(token)) {
      throw invalid('clientToken must be 1 to 64 ASCII characters in the range 33-126.');
    }
    const now = this.now();
    for (const [key, use] of this.store.clientTokens) if (now - use.usedAt >= CLIENT_TOKEN_TTL_MS) this.store.clientTokens.delete(key);
    const { clientToken: _token, ...parameters } = input;
    const use: ClientTokenUse = { key: `${cluster.clusterArn}|${token}`, request: canonicalJson(parameters), taskArns: [], usedAt: now };
    const earlier = this.store.clientTokens.get(use.key);
    if (!earlier) return { use };
    if (earlier.request !== use.request) {
      throw new AwsServiceError('ConflictException', 'The client token was already used with different request parameters.');
    }
    const answered = earlier.taskArns.map((arn) => this.store.tasks.get(arn)).filter((task): task is Task => task !== undefined);
    return { use: earlier, answered };
  }

  private track(work: Promise<unknown>): void {
    this.pendingWork.add(work);
    void work.finally(() => this.pendingWork.delete(work));
  }

  private publish(task: Task): void {
    const events = this.options.events;
    if (!events) return;
    const event = taskStateChangeEvent(task, this.region, this.now());
    this.track(events.publish(event).catch(() => undefined));
  }

  /** Moves the task to a new lastStatus, persists it and publishes the change. */
  private setStatus(task: Task, status: Task['lastStatus']): void {
    task.lastStatus = status;
    if (status === 'STOPPED') {
      task.stoppedAt = this.now();
      task.stoppingAt ??= task.stoppedAt;
    }
    task.version += 1;
    this.store.save();
    this.publish(task);
  }

  /** Starts the containers of a new task. */
  private async launch(task: Task, definition: TaskDefinition): Promise<void> {
    let resolveStopped!: () => void;
    const running: RunningTask = { processes: new Map(), stopped: new Promise((resolve) => (resolveStopped = resolve)), markStopped: () => resolveStopped() };
    this.running.set(task.taskArn, running);
    const metadataBase = await this.metadata.start();
    const startup = task.launchType === 'FARGATE' ? this.options.fargateStartup : undefined;
    if (startup && !(await this.waitOutStartup(task, startup.provisioningMs))) return;
    task.pullStartedAt = this.now();
    this.setStatus(task, 'PENDING');
    if (startup && !(await this.waitOutStartup(task, startup.pullMs))) return;
    const launches: [ContainerDefinition, ContainerLaunch][] = [];
    for (const container of definition.containerDefinitions) {
      const image = this.options.images[container.image];
      if (!image) {
        this.failLaunch(task, `CannotPullContainerError: pull image manifest has been retried 1 time(s): ${container.image}: not found in the local image map`);
        return;
      }
      const override = task.overrides.containerOverrides?.find((candidate) => candidate.name === container.name);
      launches.push([container, this.containerLaunch(task, container, image, override, metadataBase)]);
    }
    task.pullStoppedAt = this.now();
    for (const [container, launch] of launches) {
      const containerProcess = new ContainerProcess(launch, { logs: this.options.logs, clock: this.clock });
      try {
        const pid = await containerProcess.start();
        running.processes.set(container.name, containerProcess);
        const record = task.containers.find((candidate) => candidate.name === container.name)!;
        record.runtimeId = String(pid);
        const ticks = processStartTicks(pid);
        if (ticks !== undefined) record.processStartTicks = ticks;
        void containerProcess.exited.then((exitCode) => this.onContainerExit(task, container, exitCode));
      } catch (error) {
        const reason = error instanceof ContainerStartError ? error.message : String(error);
        this.failLaunch(task, `CannotStartContainerError: ${reason}`);
        return;
      }
    }
    if (task.desiredStatus === 'STOPPED') {
      this.stopProcesses(task);
      return;
    }
    task.startedAt = this.now();
    for (const container of task.containers) container.lastStatus = 'RUNNING';
    this.setStatus(task, 'RUNNING');
  }

  /**
   * Waits out a phase of Fargate's start-up. False (and the task STOPPED) when the task was stopped first, or
   * the provider is closing.
   */
  private async waitOutStartup(task: Task, ms: number): Promise<boolean> {
    const waited = task.desiredStatus === 'RUNNING' && !this.closing && (await this.startupWaits.wait(task.taskArn, ms));
    if (waited && task.desiredStatus === 'RUNNING') return true;
    this.requestStop(task, 'UserInitiated', SHUTDOWN_REASON);
    this.finishIfStopped(task);
    return false;
  }

  /** The container credentials endpoint's answer for one credentials id. */
  private credentialsDocument(credentialsId: string, authorization: string | undefined): Record<string, unknown> | 'unauthorized' | undefined {
    const entry = this.taskCredentials.get(credentialsId);
    if (!entry || !this.options.roleCredentials) return undefined;
    const given = Buffer.from(authorization ?? '');
    const expected = Buffer.from(entry.token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'unauthorized';
    const credentials = this.options.roleCredentials.current(entry.roleArn, this.sessionNameOf(entry.taskArn));
    return {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
      RoleArn: entry.roleArn,
    };
  }

  /** The role session name of a task: its id, as ECS names task role sessions. */
  private sessionNameOf(taskArn: string): string {
    return taskArn.slice(taskArn.lastIndexOf('/') + 1);
  }

  /** The variables that point a task's containers at its role's credentials (none without a task role). */
  private credentialsEnvironment(task: Task, metadataBase: string): Record<string, string> {
    const definition = this.store.taskDefinitions.get(task.taskDefinitionArn);
    const roleArn = (task.overrides.taskRoleArn as string | undefined) ?? definition?.taskRoleArn;
    if (!roleArn || !this.options.roleCredentials) return {};
    let id = [...this.taskCredentials.entries()].find(([, entry]) => entry.taskArn === task.taskArn)?.[0];
    if (!id) {
      id = randomUUID();
      this.taskCredentials.set(id, { taskArn: task.taskArn, roleArn, token: randomBytes(32).toString('base64url') });
    }
    return { AWS_CONTAINER_CREDENTIALS_FULL_URI: MetadataServer.credentialsUri(metadataBase, id), AWS_CONTAINER_AUTHORIZATION_TOKEN: this.taskCredentials.get(id)!.token };
  }

  /** A stopped task's credentials stop working. */
  private endTaskCredentials(task: Task): void {
    for (const [id, entry] of this.taskCredentials) {
      if (entry.taskArn !== task.taskArn) continue;
      this.taskCredentials.delete(id);
      this.options.roleCredentials?.end(entry.roleArn, this.sessionNameOf(task.taskArn));
    }
  }

  private containerLaunch(task: Task, container: ContainerDefinition, image: ContainerImage, override: ContainerOverride | undefined, metadataBase: string): ContainerLaunch {
    const entryPoint = container.entryPoint ?? image.entryPoint ?? [];
    const command = override?.command ?? container.command ?? (container.entryPoint ? [] : (image.command ?? []));
    const metadataUri = MetadataServer.containerUri(metadataBase, task.taskId, container.name);
    const scratch = this.scratchOf(task);
    const roleEnvironment = this.credentialsEnvironment(task, metadataBase);
    // A task with a role gets no static keys: the SDK's chain would read them before the credentials endpoint.
    const cloudEnvironment = { ...this.options.cloudEnvironment };
    if (roleEnvironment.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
      delete cloudEnvironment.AWS_ACCESS_KEY_ID;
      delete cloudEnvironment.AWS_SECRET_ACCESS_KEY;
      delete cloudEnvironment.AWS_SESSION_TOKEN;
    }
    const environment: Record<string, string> = {
      ...(this.options.hostEnvironment ?? defaultHostEnvironment()),
      TMPDIR: scratch,
      ...image.environment,
      ...cloudEnvironment,
      ...environmentOf(container.environment),
      ...environmentOf(override?.environment),
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      ECS_CONTAINER_METADATA_URI_V4: metadataUri,
      ECS_CONTAINER_METADATA_URI: metadataUri,
      ...roleEnvironment,
    };
    const logOptions = container.logConfiguration?.logDriver === 'awslogs' ? container.logConfiguration.options : undefined;
    const group = logOptions?.['awslogs-group'];
    const prefix = logOptions?.['awslogs-stream-prefix'];
    return {
      argv: [...entryPoint, ...command],
      cwd: container.workingDirectory ?? image.cwd,
      environment,
      ...(group ? { log: { group, stream: prefix ? `${prefix}/${container.name}/${task.taskId}` : task.taskId } } : {}),
    };
  }

  /** The task could not start: stop what did start, and report it STOPPED with TaskFailedToStart. */
  private failLaunch(task: Task, reason: string): void {
    Object.assign(task, { desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: reason, stoppingAt: this.now() });
    for (const container of task.containers) if (!container.runtimeId) Object.assign(container, { lastStatus: 'STOPPED', reason });
    this.stopProcesses(task);
    this.finishIfStopped(task);
  }

  private onContainerExit(task: Task, definition: ContainerDefinition, exitCode: number): void {
    const container = task.containers.find((candidate) => candidate.name === definition.name)!;
    container.lastStatus = 'STOPPED';
    container.exitCode = exitCode;
    if (container.essential && task.desiredStatus === 'RUNNING') {
      this.requestStop(task, 'EssentialContainerExited', ESSENTIAL_CONTAINER_EXITED);
    }
    this.finishIfStopped(task);
  }

  /** Marks the task STOPPED once none of its processes runs. */
  private finishIfStopped(task: Task): void {
    const running = this.running.get(task.taskArn);
    if (task.lastStatus === 'STOPPED') return;
    if (running && [...running.processes.values()].some((containerProcess) => containerProcess.running)) return;
    for (const container of task.containers) container.lastStatus = 'STOPPED';
    this.setStatus(task, 'STOPPED');
    this.removeScratch(task);
    this.endTaskCredentials(task);
    if (running) {
      this.running.delete(task.taskArn);
      running.markStopped();
    }
  }

  /** Sets desiredStatus STOPPED with the code and reason, publishes it, and stops the processes. */
  private requestStop(task: Task, stopCode: string, reason: string): void {
    if (task.desiredStatus === 'STOPPED') return;
    Object.assign(task, { desiredStatus: 'STOPPED', stopCode, stoppedReason: reason, stoppingAt: this.now() });
    task.version += 1;
    this.store.save();
    this.publish(task);
    this.startupWaits.cancel(task.taskArn);
    this.stopProcesses(task);
  }

  private stopProcesses(task: Task): void {
    const running = this.running.get(task.taskArn);
    if (!running) return;
    const definition = this.store.taskDefinitions.get(task.taskDefinitionArn);
    for (const [name, containerProcess] of running.processes) {
      const stopTimeout = definition?.containerDefinitions.find((container) => container.name === name)?.stopTimeout;
      containerProcess.stop(stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS);
    }
  }

  private stopTask(input: Input): unknown {
    const cluster = this.cluster(input.cluster);
    if (typeof input.task !== 'string') throw invalid('task can not be blank.');
    const task = this.task(cluster, input.task);
    if (!task) throw invalid('The referenced task was not found.');
    if (input.reason !== undefined && (typeof input.reason !== 'string' || input.reason.length > 255)) throw invalid('reason must be at most 255 characters.');
    this.requestStop(task, 'UserInitiated', (input.reason as string | undefined) ?? 'Task stopped by user');
    return { task: apiTask(task, this.region) };
  }

  private listTasks(input: Input): unknown {
    const cluster = this.cluster(input.cluster);
    const desiredStatus = (input.desiredStatus as string | undefined) ?? 'RUNNING';
    const family = input.family as string | undefined;
    const startedBy = input.startedBy as string | undefined;
    const launchType = input.launchType as string | undefined;
    const arns = [...this.store.tasks.values()]
      .filter(
        (task) =>
          task.clusterArn === cluster.clusterArn &&
          task.desiredStatus === desiredStatus &&
          (family === undefined || task.family === family) &&
          (startedBy === undefined || task.startedBy === startedBy) &&
          (launchType === undefined || task.launchType === launchType),
      )
      .map((task) => task.taskArn);
    const maxResults = Math.min(Number(input.maxResults ?? 100) || 100, 100);
    const start = Number(input.nextToken ?? 0) || 0;
    const next = start + maxResults < arns.length ? { nextToken: String(start + maxResults) } : {};
    return { taskArns: arns.slice(start, start + maxResults), ...next };
  }

  private describeTasks(input: Input): unknown {
    const cluster = this.cluster(input.cluster);
    const references = input.tasks;
    if (!Array.isArray(references) || references.length === 0) throw invalid('Tasks cannot be empty.');
    if (references.length > 100) throw invalid('Tasks can have at most 100 items.');
    const withTags = ((input.include as string[] | undefined) ?? []).includes('TAGS');
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const reference of references as string[]) {
      const task = this.task(cluster, reference);
      if (!task) {
        failures.push({ arn: reference, reason: 'MISSING' });
        continue;
      }
      const document = apiTask(task, this.region);
      if (!withTags) delete document.tags;
      tasks.push(document);
    }
    return { tasks, failures };
  }
}
