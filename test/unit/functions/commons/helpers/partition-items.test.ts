import '../../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { partitionItems } from '#helpers/partition-items';

const documents = mockClient(DynamoDBDocumentClient);

/** Answers a Query with pages of two items each, from `items`, as DynamoDB pages them. */
function pagesOf(items: Record<string, unknown>[]) {
  documents.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const from = Number((input.ExclusiveStartKey as { at?: number } | undefined)?.at ?? 0);
    const page = items.slice(from, from + 2);
    return { Items: page, ...(from + 2 < items.length ? { LastEvaluatedKey: { at: from + 2 } } : {}) };
  });
}

const item = (n: number) => ({ pk: 'HOST#h', sk: `TRACK#${n}`, trackId: `t${n}` });

beforeEach(() => documents.reset());

describe('partitionItems', () => {
  it('reads every page of a partition under a sort-key prefix, strongly consistent, without the keys', async () => {
    pagesOf([1, 2, 3, 4, 5].map(item));
    const items = await partitionItems({ tableName: 'table', pk: 'HOST#h', sortKeyPrefix: 'TRACK#' });
    expect(items).toEqual([1, 2, 3, 4, 5].map((n) => ({ trackId: `t${n}` })));
    const first = documents.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(first).toMatchObject({
      TableName: 'table',
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'HOST#h', ':prefix': 'TRACK#' },
      ConsistentRead: true,
    });
    expect(documents.commandCalls(QueryCommand)).toHaveLength(3);
  });

  it('reads a whole partition without a prefix, and stops reading pages once it has enough', async () => {
    pagesOf([1, 2, 3, 4, 5].map(item));
    expect(await partitionItems({ tableName: 'table', pk: 'HOST#h', atLeast: 3 })).toHaveLength(4);
    expect(documents.commandCalls(QueryCommand)).toHaveLength(2);
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'HOST#h' } });
  });
});
