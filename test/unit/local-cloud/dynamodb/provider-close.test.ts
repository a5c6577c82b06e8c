import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { DynamoDbProvider } from '#local-cloud/services/dynamodb/provider';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function request(operation: string, body: object): AwsRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    // The gateway verified the signature already; dynalite only wants one present.
    headers: {
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-date': '20261203T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: Buffer.from(JSON.stringify(body)),
    region: 'us-east-1',
    url: new URL('http://127.0.0.1/'),
  };
}

const TABLE = {
  TableName: 'closing',
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
};

describe('DynamoDbProvider: close', () => {
  it('answers the requests in flight before its database closes, and refuses new ones as unavailable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-close-'));
    dirs.push(dataDir);
    const provider = new DynamoDbProvider({ dataDir });
    const created = await provider.handle(request('CreateTable', TABLE));
    expect(created.status, String(created.body)).toBe(200);
    // Writes wait for ACTIVE, as on AWS (a CREATING table answers them ResourceNotFoundException).
    await expect.poll(async () => JSON.parse(String((await provider.handle(request('DescribeTable', { TableName: 'closing' }))).body)).Table?.TableStatus).toBe('ACTIVE');

    // Writes in flight when the local cloud stops (Ctrl-C while a function updates a session).
    const writes = Array.from({ length: 20 }, (_, i) => provider.handle(request('UpdateItem', { TableName: 'closing', Key: { pk: { S: `item-${i}` } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: String(i) } } })));
    const closed = provider.close();
    const late = await provider.handle(request('GetItem', { TableName: 'closing', Key: { pk: { S: 'item-0' } } }));
    await closed;

    expect((await Promise.all(writes)).map((r) => r.status)).toEqual(writes.map(() => 200));
    expect(late.status).toBe(503);
    expect(JSON.parse(String(late.body))).toMatchObject({ __type: expect.stringContaining('ServiceUnavailableException') });

    // Every write reached the database: a new provider on the same data finds them all.
    const reopened = new DynamoDbProvider({ dataDir });
    const scanned = await reopened.handle(request('Scan', { TableName: 'closing', Select: 'COUNT' }));
    await reopened.close();
    expect(JSON.parse(String(scanned.body))).toMatchObject({ Count: 20 });
  });
});
