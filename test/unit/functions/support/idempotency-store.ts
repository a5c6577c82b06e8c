/**
 * An in-memory stand-in for the idempotency table behind a mocked DynamoDBClient: PutItem (refused with
 * ConditionalCheckFailedException and the existing item when the key is taken), UpdateItem (SET only),
 * GetItem and DeleteItem, as Powertools' DynamoDBPersistenceLayer uses them.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

/** Wires the fake onto a DynamoDBClient mock; returns the stored items by id. */
export function fakeIdempotencyTable(mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBClientResolvedConfig>, keyAttr = 'id'): Map<string, Item> {
  const items = new Map<string, Item>();
  const keyOf = (key: Item | undefined) => key?.[keyAttr]?.S ?? '';
  mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    const id = keyOf(input.Item);
    const existing = items.get(id);
    if (existing) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: existing });
    }
    items.set(id, { ...input.Item });
    return {};
  });
  mock.on(UpdateItemCommand).callsFake(
    (input: { Key: Item; UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Item }) => {
      const id = keyOf(input.Key);
      const item = { ...(items.get(id) ?? input.Key) };
      for (const assignment of input.UpdateExpression.replace(/^SET\s+/i, '').split(',')) {
        const [name = '', value = ''] = assignment.split('=').map((s) => s.trim());
        const attribute = input.ExpressionAttributeNames[name] ?? name;
        const attributeValue = input.ExpressionAttributeValues[value];
        if (attributeValue) item[attribute] = attributeValue;
      }
      items.set(id, item);
      return {};
    },
  );
  mock.on(GetItemCommand).callsFake((input: { Key: Item }) => ({ Item: items.get(keyOf(input.Key)) }));
  mock.on(DeleteItemCommand).callsFake((input: { Key: Item }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  return items;
}
