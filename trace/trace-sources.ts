/**
 * What `shelcaster trace` reads, through the AWS SDK with its standard configuration (region, credentials,
 * AWS_ENDPOINT_URL...), so the same code reads AWS and the local cloud: the state machine (by name), the
 * execution named after the session and its history, the session's records, the controller's log lines.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { CONTROLLER_LOG_GROUP, SESSIONS_TABLE_NAME, STATE_MACHINE_NAME, sessionKey } from '#contract/index';
import type { CommandRecord, SessionRecord } from '#contract/index';
import type { ControllerLogLine } from './trace-model.ts';

/** The trace cannot be made (no state machine, no execution for the session, ...). */
export class TraceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TraceError';
  }
}

export interface TraceClients {
  sfn: SFNClient;
  dynamodb: DynamoDBDocumentClient;
  logs: CloudWatchLogsClient;
}

/** SDK clients with the standard configuration of this process's environment. */
export function defaultTraceClients(): TraceClients {
  return {
    sfn: new SFNClient({}),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    logs: new CloudWatchLogsClient({}),
  };
}

/** The ARN of the session lifecycle state machine, found by its name (ListStateMachines, every page). */
export async function findStateMachineArn(sfn: SFNClient, name: string = STATE_MACHINE_NAME): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}) }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new TraceError(`No state machine named ${name} in this account and region`);
}

/** The ARN of the execution named `name` of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** DescribeExecution, with a TraceError when there is no such execution. */
export async function describeExecution(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionOutput> {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') throw new TraceError(`No execution ${executionArn}`, { cause: error });
    throw error;
  }
}

/** Every history event of an execution (all pages, oldest first), without execution data (no task tokens). */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The session record and its command records (one Query on the session's partition, every page). */
export async function sessionRecords(
  dynamodb: DynamoDBDocumentClient,
  sessionId: string,
  tableName: string = SESSIONS_TABLE_NAME,
): Promise<{ session: SessionRecord | undefined; commands: CommandRecord[] }> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': sessionKey(sessionId).pk },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const session = items.find((item) => item.sk === 'SESSION') as SessionRecord | undefined;
  const commands = items.filter((item) => String(item.sk).startsWith('COMMAND#')) as unknown as CommandRecord[];
  return { session, commands };
}

/**
 * The controller's log lines that name the session (FilterLogEvents with the quoted session id, every page),
 * from `sinceMs` on; undefined when the log group cannot be read (it does not exist, or no permission).
 */
export async function controllerLogLines(
  logs: CloudWatchLogsClient,
  sessionId: string,
  sinceMs: number,
  logGroupName: string = CONTROLLER_LOG_GROUP,
): Promise<ControllerLogLine[] | undefined> {
  const lines: ControllerLogLine[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page: FilterLogEventsCommandOutput = await logs.send(
        new FilterLogEventsCommand({ logGroupName, filterPattern: `"${sessionId}"`, startTime: sinceMs, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const event of page.events ?? []) lines.push({ timestamp: event.timestamp ?? 0, message: event.message ?? '' });
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ResourceNotFoundException' || name === 'AccessDeniedException') return undefined;
    throw error;
  }
  return lines;
}
