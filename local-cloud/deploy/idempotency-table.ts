/** The table of Powertools idempotency records (infra/constructs/idempotency-table.ts; no TTL locally). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE } from '#contract/index';
import { ensureTable } from './table-definition.ts';

/** Creates the idempotency table unless it exists; answers its name. */
export async function deployIdempotencyTable(ddb: DynamoDBClient): Promise<string> {
  return await ensureTable(ddb, IDEMPOTENCY_TABLE);
}
