import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ConditionalCheckFailedException,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createDynamoDbProvider } from '#local-cloud/services/dynamodb/provider';
import { awsJson, CLI_TEST_OPTIONS, runAws, type CliVersion } from '../gateway/aws-cli.ts';

let gateway: Gateway;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let dataDir: string;
const TABLE = 'shelcaster-sessions';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ddb-fidelity-'));
  gateway = await startGateway({ port: 0, providers: [createDynamoDbProvider({ dataDir })] });
  ddb = new DynamoDBClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  doc = DynamoDBDocumentClient.from(ddb);
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await waitUntilTableExists({ client: ddb, minDelay: 1, maxWaitTime: 60 }, { TableName: TABLE });
});

afterAll(async () => {
  doc.destroy();
  ddb.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB through the SDK v3', () => {
  it('puts, updates, gets and queries items with the document client', async () => {
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'SESSION#1', sk: 'META', status: 'STARTING', limits: { ready: 120 } } }));
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'SESSION#1', sk: 'CMD#0001', type: 'PLAY' } }));
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'SESSION#1', sk: 'META' },
        UpdateExpression: 'SET #s = :live',
        ConditionExpression: '#s = :starting',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':live': 'LIVE', ':starting': 'STARTING' },
      }),
    );
    const { Item } = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'SESSION#1', sk: 'META' } }));
    expect(Item).toEqual({ pk: 'SESSION#1', sk: 'META', status: 'LIVE', limits: { ready: 120 } });
    const { Items } = await doc.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :cmd)', ExpressionAttributeValues: { ':pk': 'SESSION#1', ':cmd': 'CMD#' } }),
    );
    expect(Items?.map((i) => i['type'])).toEqual(['PLAY']);
  });

  it('fails a condition with ConditionalCheckFailedException', async () => {
    await expect(
      doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'SESSION#1', sk: 'META' }, ConditionExpression: 'attribute_not_exists(pk)' })),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  /** The SDK's error of a write that must fail. */
  async function failure(write: Promise<unknown>): Promise<ConditionalCheckFailedException> {
    const error = await write.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    return error as ConditionalCheckFailedException;
  }

  describe('ReturnValuesOnConditionCheckFailure (dynalite drops it; the provider adds the item as AWS does)', () => {
    const key = { pk: { S: 'PRODUCT#456' }, sk: { S: 'META' } };
    const item = { ...key, price: { N: '650' }, product: { S: 'sporting goods' } };
    const priceBetween = { ConditionExpression: 'price between :lo and :hi', ExpressionAttributeValues: { ':lo': { N: '500' }, ':hi': { N: '600' } } };

    beforeAll(async () => {
      await ddb.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    });

    it('returns the item on a failed DeleteItem with ALL_OLD (the case AWS recorded), and changes nothing', async () => {
      const error = await failure(ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: key, ...priceBetween, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })));
      expect(error.message).toBe('The conditional request failed');
      expect(error.Item).toEqual(item);
      expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item).toEqual(item);
    });

    it('returns the item on a failed PutItem (its key taken from the item) and UpdateItem', async () => {
      const put = await failure(
        ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...key, price: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
      );
      expect(put.Item).toEqual(item);
      const update = await failure(
        ddb.send(new UpdateItemCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET price = :p', ...priceBetween, ExpressionAttributeValues: { ...priceBetween.ExpressionAttributeValues, ':p': { N: '1' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
      );
      expect(update.Item).toEqual(item);
    });

    it('returns no item with NONE, without the parameter, or when there is no item', async () => {
      expect((await failure(ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: key, ...priceBetween, ReturnValuesOnConditionCheckFailure: 'NONE' })))).Item).toBeUndefined();
      expect((await failure(ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: key, ...priceBetween })))).Item).toBeUndefined();
      const missing = { pk: { S: 'PRODUCT#none' }, sk: { S: 'META' } };
      expect((await failure(ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: missing, ConditionExpression: 'attribute_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })))).Item).toBeUndefined();
    });

    it('refuses a value outside NONE and ALL_OLD with a ValidationException, and deletes nothing', async () => {
      const error = await ddb
        .send(new DeleteItemCommand({ TableName: TABLE, Key: key, ReturnValuesOnConditionCheckFailure: 'ALL_NEW' as 'ALL_OLD' }))
        .then(() => undefined, (e: unknown) => e as Error);
      expect(error?.name).toBe('ValidationException');
      expect(error?.message).toContain('returnValuesOnConditionCheckFailure');
      expect((await ddb.send(new GetItemCommand({ TableName: TABLE, Key: key }))).Item).toEqual(item);
    });
  });

  it('raises ResourceNotFoundException for a missing table', async () => {
    await expect(ddb.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'x' } } }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe.each<CliVersion>(['v1', 'v2'])('DynamoDB through AWS CLI %s', CLI_TEST_OPTIONS, (version) => {
  it('puts and gets an item', async () => {
    const key = JSON.stringify({ pk: { S: `CLI#${version}` }, sk: { S: 'META' } });
    const item = JSON.stringify({ pk: { S: `CLI#${version}` }, sk: { S: 'META' }, status: { S: 'LIVE' } });
    await awsJson(version, gateway.url, ['dynamodb', 'put-item', '--table-name', TABLE, '--item', item]);
    const got = await awsJson<{ Item: Record<string, { S: string }> }>(version, gateway.url, ['dynamodb', 'get-item', '--table-name', TABLE, '--key', key]);
    expect(got.Item['status']).toEqual({ S: 'LIVE' });
  });

  it('reports a missing table as ResourceNotFoundException', async () => {
    const result = await runAws(version, gateway.url, ['dynamodb', 'get-item', '--table-name', 'missing', '--key', '{"pk":{"S":"x"}}']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ResourceNotFoundException');
  });
});
