/**
 * What a refused request must leave as it was, read from a running local cloud with the SDK: every item of
 * the sessions and idempotency tables, the messages of the given queues, the queues, the executions, the
 * participant tokens issued (the function's log lines), and the objects of every bucket outside the
 * recordings a live composition keeps writing. Two snapshots are compared with `toEqual`.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { FUNCTION_NAMES, IDEMPOTENCY_TABLE_NAME, RECORDING_KEY_PREFIX, SESSIONS_TABLE_NAME, STATE_MACHINE_NAME } from '#contract/index';
import { localClientConfig } from '#harness/session-record';

/** Whether a key is part of a recording a live composition keeps writing (IVS writes `<prefix>/composite/...`). */
const isRecording = (key: string) => key.startsWith(RECORDING_KEY_PREFIX) || key.includes('/composite/');

/** Attributes the running controller rewrites on its own (what plays, and when the record last changed). */
const VOLATILE_ATTRIBUTES = new Set(['nowPlaying', 'nowPlayingUrl', 'updatedAt']);

export interface StateSnapshot {
  sessionsTable: string[];
  idempotencyTable: string[];
  queues: string[];
  queueMessages: Record<string, Record<string, string>>;
  executions: string[];
  objects: string[];
  participantTokensIssued: number;
}

/** SDK clients for one local cloud. */
export function snapshotClients(awsEndpoint: string) {
  const config = localClientConfig(awsEndpoint);
  return {
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    sfn: new SFNClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(config),
  };
}
export type SnapshotClients = ReturnType<typeof snapshotClients>;

/** Every item of a table, each as canonical JSON without the volatile attributes, sorted. */
export async function scanTable(dynamodb: DynamoDBClient, tableName: string): Promise<string[]> {
  const items: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of page.Items ?? []) {
      const kept = Object.keys(item)
        .filter((name) => !VOLATILE_ATTRIBUTES.has(name))
        .sort()
        .map((name) => [name, item[name]]);
      items.push(JSON.stringify(kept));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort();
}

/** How many participant tokens the token function reports having issued. */
export async function countIssuedParticipantTokens(logs: CloudWatchLogsClient): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: `/aws/lambda/${FUNCTION_NAMES.createParticipantToken}`,
          filterPattern: '"Participant token issued"',
          nextToken,
        }),
      );
      count += page.events?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 0; // the function never ran
    throw error;
  }
  return count;
}

/** Reads everything a refused request must not change. */
export async function takeSnapshot(clients: SnapshotClients, queueUrls: readonly string[] = []): Promise<StateSnapshot> {
  const [sessionsTable, idempotencyTable] = await Promise.all([
    scanTable(clients.dynamodb, SESSIONS_TABLE_NAME),
    scanTable(clients.dynamodb, IDEMPOTENCY_TABLE_NAME),
  ]);
  const queues = ((await clients.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).sort();
  const queueMessages: StateSnapshot['queueMessages'] = {};
  for (const queueUrl of queueUrls) {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    queueMessages[queueUrl] = { ...Attributes };
  }
  const stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_NAME}`;
  const { executions = [] } = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000 }));
  const objects: string[] = [];
  for (const bucket of (await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    let continuation: string | undefined;
    do {
      const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket.Name, ContinuationToken: continuation }));
      for (const object of page.Contents ?? []) {
        if (!isRecording(object.Key ?? '')) objects.push(`${bucket.Name}/${object.Key}:${object.Size}`);
      }
      continuation = page.NextContinuationToken;
    } while (continuation);
  }
  return {
    sessionsTable,
    idempotencyTable,
    queues,
    queueMessages,
    executions: executions.map((e) => `${e.executionArn}:${e.status}`).sort(),
    objects: objects.sort(),
    participantTokensIssued: await countIssuedParticipantTokens(clients.logs),
  };
}
