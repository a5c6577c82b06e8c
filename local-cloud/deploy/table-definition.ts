/**
 * The contract's table definitions (contract/tables.ts) as the local DynamoDB takes them, as
 * infra/constructs/table-definition.ts gives them to CDK. The local DynamoDB has no TTL, so a table's TTL
 * attribute is not set here (expired items simply stay).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { keyAttributesOf, type GlobalIndexDefinition, type KeyAttribute, type TableDefinition } from '#contract/index';

const keySchema = (partitionKey: KeyAttribute, sortKey: KeyAttribute | undefined) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
];

const globalIndex = (index: GlobalIndexDefinition) => ({
  IndexName: index.indexName,
  KeySchema: keySchema(index.partitionKey, index.sortKey),
  Projection: { ProjectionType: 'ALL' as const },
});

/** CreateTable's input for a table of the contract (on demand, as CDK's tables). */
export function createTableInput(table: TableDefinition): CreateTableCommandInput {
  return {
    TableName: table.tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributesOf(table).map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(globalIndex) } : {}),
  };
}

/**
 * Creates a table of the contract unless it exists, and waits until it is ACTIVE (a CREATING table answers
 * item requests with ResourceNotFoundException, on AWS for seconds, locally until dynalite's next tick);
 * answers its name.
 */
export async function ensureTable(ddb: DynamoDBClient, table: TableDefinition): Promise<string> {
  if (!(await tableExists(ddb, table.tableName))) {
    await ddb.send(new CreateTableCommand(createTableInput(table)));
    await waitUntilTableExists({ client: ddb, minDelay: 1, maxWaitTime: 120 }, { TableName: table.tableName });
  }
  return table.tableName;
}

async function tableExists(ddb: DynamoDBClient, TableName: string): Promise<boolean> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
