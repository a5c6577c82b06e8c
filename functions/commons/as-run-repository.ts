/** The as-run entries the controller keeps beside a session (pk `SESSION#<id>`, sk `ASRUN#<at>#<seq>`), in order. */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AS_RUN_SORT_KEY_PREFIX, ENV, sessionKey, type AsRunRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';

const tableName = getStringFromEnv(ENV.sessionsTable);

export async function listAsRunRecords(sessionId: string): Promise<AsRunRecord[]> {
  const records: AsRunRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': sessionKey(sessionId).pk, ':prefix': AS_RUN_SORT_KEY_PREFIX },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, ...record } = item;
      records.push(record as AsRunRecord); // items under ASRUN# are only written by the controller's AsRunRecorder
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}
