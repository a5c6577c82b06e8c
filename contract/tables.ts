/**
 * The DynamoDB tables: names, key schemas, indexes and TTL, in one place. The CDK constructs
 * (infra/constructs/*-table.ts) and the local deployer (local-cloud/deploy/tables.ts) both build their
 * tables from these definitions; the parity test compares what each builds.
 */
import { IDEMPOTENCY_TABLE_NAME, SESSIONS_BY_HOST_INDEX, SESSIONS_TABLE_NAME } from './names.ts';

/** A key attribute: its name and DynamoDB scalar type (S string, N number, B binary). */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

/** A global secondary index; every index of ours projects all attributes. */
export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableDefinition {
  tableName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  /** The attribute DynamoDB's TTL reads (epoch seconds), if the table has TTL. */
  timeToLiveAttribute?: string;
}

/** Sessions, their commands, hosts' tracks and the rate limits' items (records.ts), with sessions by host. */
export const SESSIONS_TABLE: TableDefinition = {
  tableName: SESSIONS_TABLE_NAME,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: SESSIONS_BY_HOST_INDEX, partitionKey: { name: 'hostId', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
  ],
};

/** Attribute names of Powertools' DynamoDB persistence layer (its defaults). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'id';
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiration';

/** Powertools' idempotency records: partition key `id`, expired by TTL on `expiration`. */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  tableName: IDEMPOTENCY_TABLE_NAME,
  partitionKey: { name: IDEMPOTENCY_KEY_ATTRIBUTE, type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
};

/** Every table of the system. */
export const TABLES: readonly TableDefinition[] = [SESSIONS_TABLE, IDEMPOTENCY_TABLE];

/** Every attribute a table's keys and indexes name, once each (CreateTable's AttributeDefinitions). */
export function keyAttributesOf(table: TableDefinition): KeyAttribute[] {
  const all = [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of all) if (attribute && !byName.has(attribute.name)) byName.set(attribute.name, attribute);
  return [...byName.values()];
}
