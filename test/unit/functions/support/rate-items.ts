/**
 * An in-memory stand-in for the rate-limit items of the sessions table behind a mocked document client: it
 * evaluates exactly the update and condition expressions the rate helpers send (GCRA `tat`, the `sessionIds`
 * string set) and throws ConditionalCheckFailedException as DynamoDB does, writing nothing then.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type DocumentStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClientResolvedConfig>;

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

export interface FakeRateItemsOptions {
  /** Called before a PutCommand is stored (a slow write of a session record, for races). */
  beforePut?: (item: Item) => Promise<void>;
}

/**
 * Wires the fake onto the stub; returns the items by `pk|sk`. Session records may be put in it too, directly or
 * through PutCommand (`attribute_not_exists(pk)`) and DeleteCommand (`#status = :starting`), as
 * create-session writes and deletes them.
 */
export function fakeRateItems(mock: DocumentStub, options: FakeRateItemsOptions = {}): Map<string, Item> {
  const items = new Map<string, Item>();
  const id = (key: { pk: string; sk: string }) => `${key.pk}|${key.sk}`;
  mock.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => ({ Item: items.get(id(input.Key)) }));
  mock.on(PutCommand).callsFake(async (input: { Item: Item & { pk: string; sk: string }; ConditionExpression?: string }) => {
    await options.beforePut?.(input.Item);
    if (input.ConditionExpression !== 'attribute_not_exists(pk)') throw new Error(`The fake does not know the condition ${input.ConditionExpression}`);
    if (items.has(id(input.Item))) throw conditionFailed();
    items.set(id(input.Item), { ...input.Item });
    return {};
  });
  mock.on(DeleteCommand).callsFake((input: { Key: { pk: string; sk: string }; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
    const item = items.get(id(input.Key));
    if (input.ConditionExpression !== '#status = :starting') throw new Error(`The fake does not know the condition ${input.ConditionExpression}`);
    if (item?.status !== input.ExpressionAttributeValues?.[':starting']) throw conditionFailed();
    items.delete(id(input.Key));
    return {};
  });
  mock.on(UpdateCommand).callsFake(
    (input: {
      Key: { pk: string; sk: string };
      UpdateExpression: string;
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Item;
    }) => {
      const item: Item = { ...(items.get(id(input.Key)) ?? input.Key) };
      const v = input.ExpressionAttributeValues;
      const tat = item.tat as number | undefined;
      const held = (item.sessionIds as Set<string> | undefined) ?? new Set<string>();
      switch (input.ConditionExpression) {
        case 'attribute_not_exists(tat) OR tat < :now':
          if (tat !== undefined && tat >= (v[':now'] as number)) throw conditionFailed();
          break;
        case 'tat >= :now AND tat <= :latest':
          if (tat === undefined || tat < (v[':now'] as number) || tat > (v[':latest'] as number)) throw conditionFailed();
          break;
        case 'attribute_exists(tat)':
          if (tat === undefined) throw conditionFailed();
          break;
        case 'attribute_not_exists(sessionIds) OR size(sessionIds) < :max OR contains(sessionIds, :id)':
          if (held.size >= (v[':max'] as number) && !held.has(v[':id'] as string)) throw conditionFailed();
          break;
        // A session record's update (sessions-repository's updateSession) while it is STARTING.
        case 'attribute_exists(pk) AND #status = :starting':
          if (!items.has(id(input.Key)) || item.status !== v[':starting']) throw conditionFailed();
          break;
        // An abandoned start recorded FAILED (abandoned-session-start.ts).
        case '#status IN (:starting, :ending) AND (startAttemptAt < :cutoff OR (attribute_not_exists(startAttemptAt) AND createdAt < :cutoff))': {
          const attemptAt = (item.startAttemptAt ?? item.createdAt) as string | undefined;
          if (![v[':starting'], v[':ending']].includes(item.status) || attemptAt === undefined || !(attemptAt < (v[':cutoff'] as string))) throw conditionFailed();
          break;
        }
        case undefined:
          break;
        default:
          throw new Error(`The fake does not know the condition ${input.ConditionExpression}`);
      }
      switch (input.UpdateExpression) {
        case 'SET tat = :next':
          item.tat = v[':next'];
          break;
        case 'SET tat = tat - :interval':
          item.tat = (tat ?? 0) - (v[':interval'] as number);
          break;
        case 'SET tat = tat + :interval':
          item.tat = (tat ?? 0) + (v[':interval'] as number);
          break;
        case 'ADD sessionIds :ids':
          item.sessionIds = new Set([...held, ...(v[':ids'] as Set<string>)]);
          break;
        case 'DELETE sessionIds :ids': {
          const left = new Set([...held].filter((s) => !(v[':ids'] as Set<string>).has(s)));
          if (left.size > 0) item.sessionIds = left;
          else delete item.sessionIds;
          break;
        }
        default:
          if (!/^SET [#\w]+ = :\w+(, [#\w]+ = :\w+)*$/.test(input.UpdateExpression)) throw new Error(`The fake does not know the update ${input.UpdateExpression}`);
          for (const assignment of input.UpdateExpression.slice('SET '.length).split(', ')) {
            const [name = '', value = ''] = assignment.split(' = ');
            item[input.ExpressionAttributeNames?.[name] ?? name] = v[value];
          }
      }
      items.set(id(input.Key), item);
      return { Attributes: item };
    },
  );
  return items;
}
