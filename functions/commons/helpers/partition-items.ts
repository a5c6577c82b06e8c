/**
 * The items of one partition of a table (strongly consistent), optionally only those whose sort key begins
 * with a prefix, in sort-key order and without their keys (`pk`, `sk`): the records the repositories keep
 * beside a session, a host or the warm pool.
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#clients/dynamodb';

export interface PartitionQuery {
  tableName: string;
  pk: string;
  /** Only items whose sort key begins with this. */
  sortKeyPrefix?: string;
  /** Stop reading pages once this many items are in hand (the result may hold a page's worth more). */
  atLeast?: number;
}

export async function partitionItems(query: PartitionQuery): Promise<Record<string, unknown>[]> {
  const prefixed = query.sortKeyPrefix !== undefined;
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: query.tableName,
      KeyConditionExpression: prefixed ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': query.pk, ...(prefixed ? { ':prefix': query.sortKeyPrefix } : {}) },
      ConsistentRead: true,
    },
  );
  const items: Record<string, unknown>[] = [];
  for await (const page of pages) {
    for (const { pk: _pk, sk: _sk, ...record } of page.Items ?? []) items.push(record);
    if (items.length >= (query.atLeast ?? Infinity)) break;
  }
  return items;
}
