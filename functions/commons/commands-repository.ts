/** The command records in DynamoDB (pk `SESSION#<id>`, sk `COMMAND#<commandId>`). */
import { GetCommand, paginateQuery, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { commandKey, ENV, sessionKey, type CommandRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { isConditionFailed } from '#helpers/is-condition-failed';

const tableName = getStringFromEnv(ENV.sessionsTable);

/** Writes a new command record; fails if the id is taken. */
export async function putNewCommand(record: CommandRecord): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...commandKey(record.sessionId, record.commandId), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Reads a command record; undefined when there is none. */
export async function getCommandRecord(sessionId: string, commandId: string): Promise<CommandRecord | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: commandKey(sessionId, commandId), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...record } = Item;
  return record as CommandRecord;
}

/** Marks a command FAILED with a reason, unless the controller already settled it. */
export async function markCommandFailed(sessionId: string, commandId: string, reason: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: commandKey(sessionId, commandId),
      UpdateExpression: 'SET #status = :failed, #reason = :reason',
      ConditionExpression: '#status = :queued',
      ExpressionAttributeNames: { '#status': 'status', '#reason': 'reason' },
      ExpressionAttributeValues: { ':failed': 'FAILED', ':queued': 'QUEUED', ':reason': reason },
    }),
  );
}

/**
 * The ids of a session's commands still QUEUED: a Query of the session's partition (command items only,
 * strongly consistent), filtered on the status, page by page.
 */
export async function listQueuedCommandIds(sessionId: string): Promise<string[]> {
  const ids: string[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :commands)',
      FilterExpression: '#status = :queued',
      ProjectionExpression: 'commandId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': sessionKey(sessionId).pk, ':commands': 'COMMAND#', ':queued': 'QUEUED' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) if (typeof item.commandId === 'string') ids.push(item.commandId);
  return ids;
}

/** Marks a command FAILED with a reason if it is still QUEUED; false when it had a result already. */
export async function failQueuedCommand(sessionId: string, commandId: string, reason: string): Promise<boolean> {
  try {
    await markCommandFailed(sessionId, commandId, reason);
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
