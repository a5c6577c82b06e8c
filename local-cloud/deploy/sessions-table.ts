/** The table of sessions, their commands and hosts' tracks, with the sessions-by-host index (infra/constructs/sessions-table.ts). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESSIONS_TABLE } from '#contract/index';
import { ensureTable } from './table-definition.ts';

/** Creates the sessions table unless it exists; answers its name. */
export async function deploySessionsTable(ddb: DynamoDBClient): Promise<string> {
  return await ensureTable(ddb, SESSIONS_TABLE);
}
