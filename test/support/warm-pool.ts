/**
 * What the warm pool's system tests read of a running local cloud: the pool's records, the pool's tasks ECS
 * runs, an idle controller to claim, a function's log lines about a session, and the local cloud's fault
 * endpoint (docs/local-cloud.md, "Fault injection"), with which a test holds a call of the system long enough
 * to act inside it.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CLUSTER_NAME, SESSIONS_TABLE_NAME, WARM_POOL_PARTITION, WARM_POOL_STARTED_BY, type WarmControllerRecord } from '#contract/index';
import { eventually } from '#harness/eventually';
import type { RunningLocalCloud } from '#harness/local-cloud';
import { sessionLogLines, type AwsClients, type Json } from '#harness/system-session';
import type { FaultSpec } from '#local-cloud/gateway/faults';

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

/** Waits for an idle controller other than those in `except`, whose task runs; returns its record. */
export async function idleController(aws: AwsClients, except: readonly string[] = [], timeoutMs = 90_000): Promise<WarmControllerRecord> {
  return eventually(
    async () => {
      const running = new Set(await runningPoolTasks(aws));
      return (await poolRecords(aws)).find((r) => r.state === 'IDLE' && running.has(r.taskArn) && !except.includes(r.taskArn));
    },
    timeoutMs,
    'an idle warm controller',
  );
}

/** The JSON log lines a function wrote about a session (its `/aws/lambda/<name>` group), oldest first. */
export function functionLogLines(logs: CloudWatchLogsClient, functionName: string, sessionId: string): Promise<Json[]> {
  return sessionLogLines(logs, `/aws/lambda/${functionName}`, sessionId);
}

/** Adds faults through the local cloud's `/_local/faults` endpoint. */
export async function injectFaults(cloud: Pick<RunningLocalCloud, 'awsEndpoint'>, faults: FaultSpec[]): Promise<void> {
  const answer = await fetch(`${cloud.awsEndpoint}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
  if (answer.status !== 200) throw new Error(`POST /_local/faults answered ${answer.status}: ${await answer.text()}`);
}

/**
 * Clears every fault. A request already held by an added latency keeps its wait (the gateway decided it when
 * the request came), and is then answered from the state the service has at that time.
 */
export async function clearFaults(cloud: Pick<RunningLocalCloud, 'awsEndpoint'>): Promise<void> {
  const answer = await fetch(`${cloud.awsEndpoint}/_local/faults`, { method: 'DELETE' });
  if (answer.status !== 200) throw new Error(`DELETE /_local/faults answered ${answer.status}: ${await answer.text()}`);
}
