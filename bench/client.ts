/**
 * The benchmark as a client: the public HTTP API called as a host (one host per session, so the per-host
 * limits on sessions do not shape the figures), and AWS SDK clients pointed at the local cloud for what the
 * API does not show (execution history, tasks, queues, stages, recordings).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, SESSIONS_TABLE_NAME, mediaBucketName, sessionKey, type CommandInput } from '#contract/index';
import { issueLocalToken } from '#local-cloud/api/local-issuer';
import type { TargetCloud } from './target-cloud.ts';
import { generateMedia, uploadMediaFor, type BenchMedia, type MediaFiles } from './media.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const MEDIA_BUCKET = mediaBucketName(LOCAL_ACCOUNT, LOCAL_REGION);

export type Json = Record<string, unknown>;

export class BenchError extends Error {
  override name = 'BenchError';
}

/** SDK clients of every service the benchmark reads, pointed at the local cloud. */
export function awsClients(endpoint: string) {
  const config = { endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return {
    sfn: new SFNClient(config),
    ecs: new ECSClient(config),
    sqs: new SQSClient(config),
    ivs: new IVSRealTimeClient(config),
    dynamodb: new DynamoDBClient(config),
    logs: new CloudWatchLogsClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' }),
  };
}
export type AwsClients = ReturnType<typeof awsClients>;

/** An API response: status, parsed body, and when the request was sent and answered (epoch ms). */
export interface ApiResponse {
  status: number;
  body: Json;
  sentAt: number;
  answeredAt: number;
}

/** The local API called as one host. */
export class HostApi {
  constructor(
    readonly apiUrl: string,
    readonly hostId: string,
    private readonly token: string,
  ) {}

  /** Sends one request and times it. */
  async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<ApiResponse> {
    const sentAt = Date.now();
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const answeredAt = Date.now();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed, sentAt, answeredAt };
  }

  /** The bearer header value (for load tools). */
  get authorization(): string {
    return `Bearer ${this.token}`;
  }
}

/** Where the benchmark runs: the cloud, its clients, and a fresh host per session. */
export class BenchContext {
  readonly aws: AwsClients;
  private hosts = 0;
  /** When loops should stop adding work so the run ends within its budget (epoch ms). */
  softDeadline = Number.POSITIVE_INFINITY;

  /** Whether the run is past its soft deadline (loops stop early and say so). */
  get outOfTime(): boolean {
    return Date.now() > this.softDeadline;
  }

  constructor(
    readonly cloud: TargetCloud,
    readonly runId: string,
  ) {
    this.aws = awsClients(cloud.awsEndpoint);
  }

  private files: Promise<MediaFiles> | undefined;

  /** The benchmark's media uploaded as this host's own files (programUrls may name only one's own uploads). */
  async mediaFor(api: HostApi): Promise<BenchMedia> {
    this.files ??= generateMedia();
    return uploadMediaFor(this.aws.s3, api.hostId, await this.files);
  }

  /** A new host (its own user id and token). */
  async newHost(): Promise<HostApi> {
    const hostId = `bench-${this.runId}-${++this.hosts}`;
    return new HostApi(this.cloud.apiUrl, hostId, await issueLocalToken(hostId, { dataDir: this.cloud.dataDir }));
  }
}

/** Polls `check` every `intervalMs` until it returns a value; throws after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new BenchError(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A session started by the benchmark. */
export interface BenchSession {
  api: HostApi;
  sessionId: string;
  executionArn: string;
  /** When POST /sessions was sent (epoch ms). */
  postedAt: number;
  /** liveAt of the session (epoch ms), once LIVE. */
  liveAt?: number;
}

/** POSTs a session and waits until it is LIVE (polling GET); fails when it ends first. */
export async function startSession(api: HostApi, title: string, timeoutMs = 90_000, onCreated?: (sessionId: string) => void): Promise<BenchSession> {
  const created = await api.call('POST', '/sessions', { title });
  if (created.status !== 202) throw new BenchError(`POST /sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
  const session: BenchSession = {
    api,
    sessionId: created.body.sessionId as string,
    executionArn: created.body.executionArn as string,
    postedAt: created.sentAt,
  };
  onCreated?.(session.sessionId);
  const live = await pollUntil(
    async () => {
      const { body } = await api.call('GET', `/sessions/${session.sessionId}`);
      if (body.status === 'FAILED' || body.status === 'ENDED') throw new BenchError(`session ${session.sessionId} ended: ${JSON.stringify(body)}`);
      return body.status === 'LIVE' ? body : undefined;
    },
    timeoutMs,
    'the session to go LIVE',
    100,
  );
  session.liveAt = Date.parse(live.liveAt as string);
  return session;
}

/** DELETEs a session and waits until it is ENDED or FAILED; returns the DELETE's send time and the final view. */
export async function endSession(session: BenchSession, timeoutMs = 60_000): Promise<{ deletedAt: number; final: Json }> {
  const deleted = await session.api.call('DELETE', `/sessions/${session.sessionId}`);
  if (deleted.status !== 202 && deleted.status !== 200) throw new BenchError(`DELETE answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);
  const final = await pollUntil(
    async () => {
      const { body } = await session.api.call('GET', `/sessions/${session.sessionId}`);
      return body.status === 'ENDED' || body.status === 'FAILED' ? body : undefined;
    },
    timeoutMs,
    'the session to end',
    100,
  );
  return { deletedAt: deleted.sentAt, final };
}

/** Ends sessions, ignoring ones that already ended; never throws (the run goes on to clean up the rest). */
export async function endQuietly(sessions: readonly BenchSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => endSession(s).catch(() => undefined)));
}

/** A command POSTed and, once applied, its latency. */
export interface SentCommand {
  commandId: string;
  type: CommandInput['type'];
  postedAt: number;
  status?: string;
  /** Server times (epoch ms): accepted by the API, applied by the controller. */
  acceptedAt?: number;
  appliedAt?: number;
  /** Why it FAILED. */
  reason?: string;
}

/** POSTs a command; throws unless it is accepted (202). */
export async function postCommand(session: BenchSession, command: CommandInput): Promise<SentCommand> {
  const response = await session.api.call('POST', `/sessions/${session.sessionId}/commands`, command);
  if (response.status !== 202) throw new BenchError(`POST command answered ${response.status}: ${JSON.stringify(response.body)}`);
  return { commandId: response.body.commandId as string, type: command.type, postedAt: response.sentAt };
}

/** Polls a command until it is APPLIED or FAILED; fills in status and appliedAt. */
export async function waitApplied(session: BenchSession, sent: SentCommand, timeoutMs = 30_000): Promise<SentCommand> {
  const body = await pollUntil(
    async () => {
      const { body } = await session.api.call('GET', `/sessions/${session.sessionId}/commands/${sent.commandId}`);
      return body.status === 'APPLIED' || body.status === 'FAILED' ? body : undefined;
    },
    timeoutMs,
    `command ${sent.type} to be applied`,
    20,
  );
  sent.status = body.status as string;
  if (typeof body.acceptedAt === 'string') sent.acceptedAt = Date.parse(body.acceptedAt);
  if (typeof body.appliedAt === 'string') sent.appliedAt = Date.parse(body.appliedAt);
  if (typeof body.reason === 'string') sent.reason = body.reason;
  return sent;
}

/** Every event of an execution's history, oldest first (the system tests' reader). */
export { executionHistory } from '#test/support/system-session';

/** The RUNNING controller task of a session and its process id (the container's runtimeId). */
export async function controllerProcess(ecs: ECSClient, sessionId: string): Promise<{ taskArn: string; pid: number } | undefined> {
  const listed = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'RUNNING' }));
  if (!listed.taskArns?.length) return undefined;
  const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: listed.taskArns }));
  const task = described.tasks?.find((t) => t.lastStatus === 'RUNNING');
  const pid = Number(task?.containers?.[0]?.runtimeId);
  return task?.taskArn && pid > 0 ? { taskArn: task.taskArn, pid } : undefined;
}

/** The session record's recording prefix (the API does not show it; the sessions table does). */
export async function recordingPrefixOf(dynamodb: DynamoDBClient, sessionId: string): Promise<string | undefined> {
  const key = sessionKey(sessionId);
  const item = await dynamodb.send(
    new GetItemCommand({ TableName: SESSIONS_TABLE_NAME, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
  );
  return item.Item?.recordingPrefix?.S;
}
