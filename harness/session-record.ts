/**
 * A session's record as the system stored it in the local cloud's DynamoDB (with what the API does not show,
 * such as `reasonDetail`), read with the operator's credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SESSIONS_TABLE_NAME, sessionKey, type SessionRecord } from '#contract/index';

/** SDK client configuration for a local cloud. */
export function localClientConfig(awsEndpoint: string) {
  return { endpoint: awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

/** Reads a session's record (strongly consistent). */
export async function readSessionRecord(awsEndpoint: string, sessionId: string): Promise<SessionRecord | undefined> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(awsEndpoint)));
  const { Item } = await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: sessionKey(sessionId), ConsistentRead: true }));
  return Item as SessionRecord | undefined;
}
