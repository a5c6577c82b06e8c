/**
 * The system session fixture of the tests and the benchmark, for driving sessions through a running local
 * cloud: the host's API calls, SDK clients pointed at the local cloud, a session's controller task and its
 * process, the execution's history, the session's record, the warm pool's records and tasks, and media uploaded
 * to the media bucket.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  CLUSTER_NAME,
  CONTROLLER_LOG_GROUP,
  SESSIONS_TABLE_NAME,
  WARM_POOL_PARTITION,
  WARM_POOL_STARTED_BY,
  mediaBucketName,
  mediaOwnerPrefix,
  sessionKey,
  type ApiAnswer,
  type ApiOperationName,
  type ApiRequest,
  type SessionRecord,
  type WarmControllerRecord,
} from '#contract/index';
import { eventually } from './eventually.ts';
import { SessionApi } from './session-api.ts';
import type { RunningLocalCloud } from './local-cloud.ts';

/** The local cloud's account and region (what the deployer names the media bucket after). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_MEDIA_BUCKET = mediaBucketName(LOCAL_ACCOUNT, LOCAL_REGION);

export type Json = Record<string, unknown>;

/** SDK clients of every service a system test reads, pointed at one local cloud. */
export function awsClients(cloud: Pick<RunningLocalCloud, 'awsEndpoint'>) {
  const config = {
    endpoint: cloud.awsEndpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
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

/**
 * The local API called as one host (of whichever cloud `cloud()` answers, as a test may restart it):
 * `api(method, path, body)` sends a request as it is written, `api.send(operation, request)` through the
 * contract's typed client.
 */
export function hostApi(cloud: () => Pick<RunningLocalCloud, 'apiUrl'>, token: string) {
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${cloud().apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  }
  const send = async <Name extends ApiOperationName>(name: Name, request: ApiRequest<Name>): Promise<ApiAnswer<Name>> =>
    await new SessionApi(cloud(), token).send(name, request);
  return Object.assign(api, { send });
}
export type HostApi = ReturnType<typeof hostApi>;

/** Starts a session and waits until it is LIVE; returns its id, execution ARN and LIVE view. */
export async function startLiveSession(api: HostApi, title: string, timeoutMs = 90_000) {
  const created = await api.send('createSession', { body: { title } });
  if (!created.ok || created.status !== 202) throw new Error(`POST /sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { sessionId, executionArn } = created.body;
  const live = await waitForSession(api, sessionId, (s) => s.status === 'LIVE', timeoutMs, 'the session to go LIVE', true);
  return { sessionId, executionArn, live };
}

/** Polls GET /sessions/{id} until `done` holds (an ended session fails the wait when `failOnEnd`). */
export async function waitForSession(
  api: HostApi,
  sessionId: string,
  done: (session: Json) => boolean,
  timeoutMs: number,
  what: string,
  failOnEnd = false,
): Promise<Json> {
  return eventually(
    async () => {
      const answer = await api.send('getSession', { params: { sessionId } });
      if (!answer.ok) throw new Error(`GET session answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      // The view as plain JSON: the tests' conditions read it field by field.
      const body = answer.body as unknown as Json;
      if (failOnEnd && (body.status === 'FAILED' || body.status === 'ENDED')) throw new Error(`session ended: ${JSON.stringify(body)}`);
      return done(body) ? body : undefined;
    },
    timeoutMs,
    what,
  );
}

/** Puts a file into the media bucket among a host's uploads (as POST /media would) and returns its s3:// programUrl. */
export async function uploadMedia(s3: S3Client, hostId: string, name: string, body: Buffer, contentType = 'audio/wav'): Promise<string> {
  const key = `${mediaOwnerPrefix(hostId)}${name}`;
  await s3.send(new PutObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key, Body: body, ContentType: contentType }));
  return `s3://${LOCAL_MEDIA_BUCKET}/${key}`;
}

/** The session's tasks with their documents (RUNNING ones by default). */
export async function sessionTasks(ecs: ECSClient, sessionId: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const listed = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus }));
  if (!listed.taskArns?.length) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: listed.taskArns }));
  return described.tasks ?? [];
}

/** A RUNNING controller task of the session and its process id (the container's runtimeId), if there is one now. */
export async function controllerProcess(ecs: ECSClient, sessionId: string): Promise<{ taskArn: string; pid: number } | undefined> {
  const task = (await sessionTasks(ecs, sessionId)).find((t) => t.lastStatus === 'RUNNING');
  const pid = Number(task?.containers?.[0]?.runtimeId);
  return task?.taskArn && pid > 0 ? { taskArn: task.taskArn, pid } : undefined;
}

/** The one RUNNING controller task of a session whose process runs, with its pid. */
export async function runningController(ecs: ECSClient, sessionId: string, timeoutMs = 30_000): Promise<{ taskArn: string; pid: number }> {
  return eventually(
    async () => {
      const running = (await sessionTasks(ecs, sessionId)).filter((t) => t.lastStatus === 'RUNNING');
      if (running.length !== 1) return undefined;
      const pid = Number(running[0]!.containers?.[0]?.runtimeId);
      return pid > 0 ? { taskArn: running[0]!.taskArn!, pid } : undefined;
    },
    timeoutMs,
    'one RUNNING controller task',
  );
}

/** Waits until an execution is no longer RUNNING; answers how it ended (DescribeExecution). */
export async function finishedExecution(sfn: SFNClient, executionArn: string, timeoutMs = 30_000, what = 'the execution to finish'): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    },
    timeoutMs,
    what,
  );
}

/** Every event of an execution's history, oldest first. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The states an execution entered, in order, with the time each was entered. */
export function enteredStates(events: HistoryEvent[]): { name: string; at: Date }[] {
  return events
    .filter((e) => e.type?.endsWith('StateEntered'))
    .map((e) => ({ name: e.stateEnteredEventDetails?.name ?? '', at: e.timestamp ?? new Date(0) }));
}

/** A log group's JSON lines about a session (other lines skipped: Chromium's output, START/END/REPORT), oldest first. */
export async function sessionLogLines(logs: CloudWatchLogsClient, logGroupName: string, sessionId: string, startTime = 0): Promise<Json[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new FilterLogEventsCommand({ logGroupName, startTime, filterPattern: `"${sessionId}"`, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const lines: Json[] = [];
  for (const event of events) {
    try {
      const line = JSON.parse(event.message ?? '') as Json;
      if (line.sessionId === sessionId) lines.push(line);
    } catch {
      // not a JSON line
    }
  }
  return lines;
}

/** The controller's log lines (JSON parsed; other lines skipped) since `startTime`, of the session's tasks. */
export function controllerLogLines(logs: CloudWatchLogsClient, sessionId: string, startTime = 0): Promise<Json[]> {
  return sessionLogLines(logs, CONTROLLER_LOG_GROUP, sessionId, startTime);
}

/** The session's record as stored (what the API does not show: recordingPrefix, taskArn, queueUrl, ...). */
export async function sessionRecord(dynamodb: DynamoDBClient, sessionId: string): Promise<SessionRecord | undefined> {
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const { Item } = await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: sessionKey(sessionId), ConsistentRead: true }));
  return Item as SessionRecord | undefined;
}

/** Every record of the pool (strongly consistent). */
export async function poolRecords(aws: AwsClients): Promise<WarmControllerRecord[]> {
  const doc = DynamoDBDocumentClient.from(aws.dynamodb);
  const { Items } = await doc.send(
    new QueryCommand({ TableName: SESSIONS_TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': WARM_POOL_PARTITION }, ConsistentRead: true }),
  );
  return (Items ?? []) as WarmControllerRecord[];
}

/** The pool's tasks ECS runs (claimed ones included: they keep the pool's startedBy). */
export async function runningPoolTasks(aws: AwsClients): Promise<string[]> {
  return (await aws.ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: WARM_POOL_STARTED_BY, desiredStatus: 'RUNNING' }))).taskArns ?? [];
}
