/** The as-run entries the controller keeps beside a session (pk `SESSION#<id>`, sk `ASRUN#<at>#<seq>`), in order. */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { AS_RUN_SORT_KEY_PREFIX, ENV, sessionKey, type AsRunRecord } from '#contract/index';
import { documentClient } from '#clients/dynamodb';
import { getStringFromEnv } from '#helpers/get-string-from-env';

const tableName = getStringFromEnv(ENV.sessionsTable);

export async function listAsRunRecords(sessionId: string): Promise<AsRunRecord[]> {
  const records: AsRunRecord[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': sessionKey(sessionId).pk, ':prefix': AS_RUN_SORT_KEY_PREFIX },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, ...record } = item;
      records.push(record as AsRunRecord); // items under ASRUN# are only written by the controller's AsRunRecorder
    }
  }
  return records;
}
