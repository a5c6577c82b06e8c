/** The contract's table definitions (contract/tables.ts) in CDK's terms. */
import { AttributeType, ProjectionType, type Attribute, type GlobalSecondaryIndexProps, type TableProps } from 'aws-cdk-lib/aws-dynamodb';
import type { KeyAttribute, TableDefinition } from '#contract/index';

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

/** A key attribute as CDK names it. */
export const cdkAttribute = (attribute: KeyAttribute): Attribute => ({ name: attribute.name, type: ATTRIBUTE_TYPES[attribute.type] });

/** The table's name, keys and TTL as Table props. */
export function cdkTableKeys(table: TableDefinition): Pick<TableProps, 'tableName' | 'partitionKey' | 'sortKey' | 'timeToLiveAttribute'> {
  return {
    tableName: table.tableName,
    partitionKey: cdkAttribute(table.partitionKey),
    ...(table.sortKey ? { sortKey: cdkAttribute(table.sortKey) } : {}),
    ...(table.timeToLiveAttribute ? { timeToLiveAttribute: table.timeToLiveAttribute } : {}),
  };
}

/** The table's global secondary indexes as CDK props (every one projects all attributes). */
export function cdkGlobalIndexes(table: TableDefinition): GlobalSecondaryIndexProps[] {
  return table.globalSecondaryIndexes.map((index) => ({
    indexName: index.indexName,
    partitionKey: cdkAttribute(index.partitionKey),
    ...(index.sortKey ? { sortKey: cdkAttribute(index.sortKey) } : {}),
    projectionType: ProjectionType.ALL,
  }));
}
