/** The as-run entries the controller keeps beside a session (pk `SESSION#<id>`, sk `ASRUN#<at>#<seq>`), in order. */
import { AS_RUN_SORT_KEY_PREFIX, ENV, sessionKey, type AsRunRecord } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { partitionItems } from '#helpers/partition-items';

const tableName = getStringFromEnv(ENV.sessionsTable);

export async function listAsRunRecords(sessionId: string): Promise<AsRunRecord[]> {
  const items = await partitionItems({ tableName, pk: sessionKey(sessionId).pk, sortKeyPrefix: AS_RUN_SORT_KEY_PREFIX });
  return items as unknown as AsRunRecord[]; // items under ASRUN# are only written by the controller's AsRunRecorder
}
