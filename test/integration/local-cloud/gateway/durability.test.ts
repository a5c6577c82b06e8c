import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { createDynamoDbProvider } from '#local-cloud/services/dynamodb/provider';
import { createS3Provider } from '#local-cloud/services/s3/provider';
import { createLogsProvider } from '#local-cloud/services/logs/provider';

const dataDir = mkdtempSync(join(tmpdir(), 'local-cloud-durability-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The four providers on one data directory behind a fresh gateway, with SDK clients for it. */
async function boot(): Promise<{ gateway: Gateway; logsSink: ReturnType<typeof createLogsProvider>; clients: { sqs: SQSClient; ddb: DynamoDBClient; s3: S3Client; logs: CloudWatchLogsClient }; stop(): Promise<void> }> {
  const logsSink = createLogsProvider({ dataDir });
  const gateway = await startGateway({
    port: 0,
    providers: [createSqsProvider({ dataDir }), createDynamoDbProvider({ dataDir }), createS3Provider({ dataDir }), logsSink],
  });
  const config = { endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const clients = { sqs: new SQSClient(config), ddb: new DynamoDBClient(config), s3: new S3Client(config), logs: new CloudWatchLogsClient(config) };
  return {
    gateway,
    logsSink,
    clients,
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await gateway.close();
    },
  };
}

describe('The local cloud restarted on the same data directory', () => {
  it('finds queues, messages, items, objects and log events again', async () => {
    const first = await boot();
    const { QueueUrl } = await first.clients.sqs.send(new CreateQueueCommand({ QueueName: 'durable.fifo', Attributes: { FifoQueue: 'true' } }));
    await first.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'acknowledged', MessageGroupId: 'commands', MessageDeduplicationId: 'c1' }));
    await first.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight', MessageGroupId: 'callbacks', MessageDeduplicationId: 't1' }));
    const inFlight = await first.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    expect(inFlight.Messages).toHaveLength(2);
    await first.clients.ddb.send(
      new CreateTableCommand({ TableName: 'durable', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    );
    // A new table is CREATING at first, as on AWS (where an item put then is ResourceNotFoundException).
    await waitUntilTableExists({ client: first.clients.ddb, minDelay: 1, maxWaitTime: 60 }, { TableName: 'durable' });
    await first.clients.ddb.send(new PutItemCommand({ TableName: 'durable', Item: { pk: { S: 'session-1' }, status: { S: 'LIVE' } } }));
    await first.clients.s3.send(new CreateBucketCommand({ Bucket: 'durable-bucket' }));
    await first.clients.s3.send(new PutObjectCommand({ Bucket: 'durable-bucket', Key: 'recordings/s1/seg0.ts', Body: 'segment zero', ContentType: 'video/mp2t' }));
    first.logsSink.append('/ecs/shelcaster-program-controller', 'controller/program-controller/t1', [{ timestamp: Date.now(), message: 'on air' }]);
    await first.stop();

    const second = await boot();
    try {
      const url = `${second.gateway.url}/000000000000/durable.fifo`;
      const again = await second.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(again.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount]).sort()).toEqual([
        ['acknowledged', '2'],
        ['in flight', '2'],
      ]);
      const item = await second.clients.ddb.send(new GetItemCommand({ TableName: 'durable', Key: { pk: { S: 'session-1' } } }));
      expect(item.Item?.['status']).toEqual({ S: 'LIVE' });
      const object = await second.clients.s3.send(new GetObjectCommand({ Bucket: 'durable-bucket', Key: 'recordings/s1/seg0.ts' }));
      expect(object.ContentType).toBe('video/mp2t');
      expect(await object.Body!.transformToString()).toBe('segment zero');
      const events = await second.clients.logs.send(new FilterLogEventsCommand({ logGroupName: '/ecs/shelcaster-program-controller' }));
      expect(events.events?.map((e) => e.message)).toEqual(['on air']);
    } finally {
      await second.stop();
    }
  });
});
