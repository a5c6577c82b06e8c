import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { awsJson, CLI_TEST_OPTIONS, runAws, type CliVersion } from '../gateway/aws-cli.ts';

let gateway: Gateway;
let sqs: SQSClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sqs-fidelity-'));
  gateway = await startGateway({ port: 0, providers: [createSqsProvider({ dataDir })] });
  sqs = new SQSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  sqs.destroy();
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const fifoAttributes = { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '10' };

describe('SQS through the SDK v3 (JSON protocol)', () => {
  it('creates a FIFO queue and reports its attributes and URL on the request host', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sdk-orders.fifo', Attributes: fifoAttributes }));
    expect(QueueUrl).toBe(`${gateway.url}/000000000000/sdk-orders.fifo`);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      FifoQueue: 'true',
      VisibilityTimeout: '10',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:sdk-orders.fifo',
      ApproximateNumberOfMessages: '0',
    });
  });

  it('sends, receives with system and message attributes, and deletes in order', async () => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'sdk-orders.fifo' }));
    const first = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: '{"n":1}',
        MessageGroupId: 'commands',
        MessageDeduplicationId: 'c1',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'play' } },
      }),
    );
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: '{"n":2}', MessageGroupId: 'commands', MessageDeduplicationId: 'c2' },
          { Id: 'b', MessageBody: '{"n":3}', MessageGroupId: 'commands', MessageDeduplicationId: 'c3' },
        ],
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    expect(messages.map((m) => m.Body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(messages[0]?.Attributes).toMatchObject({ ApproximateReceiveCount: '1', MessageGroupId: 'commands', MessageDeduplicationId: 'c1', SequenceNumber: first.SequenceNumber });
    expect(messages[0]?.MessageAttributes?.['kind']?.StringValue).toBe('play');
    for (const m of messages) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(after.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sdk-long-poll' }));
    const started = Date.now();
    const receiving = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake up' })), 200);
    const { Messages } = await receiving;
    expect(Messages?.[0]?.Body).toBe('wake up');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('raises QueueDoesNotExist for a missing queue, with the query error code', async () => {
    const error = await sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect((error as QueueDoesNotExist & { Code?: string }).Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect((error as QueueDoesNotExist).$metadata.httpStatusCode).toBe(400);
  });
});

describe.each<CliVersion>(['v1', 'v2'])('SQS through AWS CLI %s', CLI_TEST_OPTIONS, (version) => {
  const queueName = `shelcaster-program-commands-cli${version}.fifo`;

  it('creates a FIFO queue and lists it by prefix', async () => {
    await awsJson(version, gateway.url, ['sqs', 'create-queue', '--queue-name', queueName, '--attributes', 'FifoQueue=true,ContentBasedDeduplication=true']);
    const listed = await awsJson<{ QueueUrls: string[] }>(version, gateway.url, ['sqs', 'list-queues', '--queue-name-prefix', 'shelcaster-program-commands']);
    expect(listed.QueueUrls).toContain(`${gateway.url}/000000000000/${queueName}`);
  });

  it('sends, receives and deletes on the FIFO queue', async () => {
    const queueUrl = `${gateway.url}/000000000000/${queueName}`;
    const sent = await awsJson<{ MessageId: string; SequenceNumber: string; MD5OfMessageBody: string }>(version, gateway.url, [
      'sqs', 'send-message', '--queue-url', queueUrl, '--message-body', '{"type":"PLAY"}', '--message-group-id', 'commands',
    ]);
    expect(sent.SequenceNumber).toMatch(/^\d{20}$/);
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"type":"PLAY"}').digest('hex'));
    const duplicate = await awsJson<{ MessageId: string }>(version, gateway.url, [
      'sqs', 'send-message', '--queue-url', queueUrl, '--message-body', '{"type":"PLAY"}', '--message-group-id', 'commands',
    ]);
    expect(duplicate.MessageId).toBe(sent.MessageId);
    const received = await awsJson<{ Messages: { Body: string; ReceiptHandle: string; Attributes: Record<string, string> }[] }>(version, gateway.url, [
      'sqs', 'receive-message', '--queue-url', queueUrl, '--attribute-names', 'All', '--max-number-of-messages', '10', '--wait-time-seconds', '1',
    ]);
    expect(received.Messages).toHaveLength(1);
    expect(received.Messages[0]?.Body).toBe('{"type":"PLAY"}');
    expect(received.Messages[0]?.Attributes['MessageGroupId']).toBe('commands');
    const handle = received.Messages[0]?.ReceiptHandle ?? '';
    await awsJson(version, gateway.url, ['sqs', 'delete-message', '--queue-url', queueUrl, '--receipt-handle', handle]);
    const attributes = await awsJson<{ Attributes: Record<string, string> }>(version, gateway.url, [
      'sqs', 'get-queue-attributes', '--queue-url', queueUrl, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible',
    ]);
    expect(attributes.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('reports a missing queue as NonExistentQueue', async () => {
    const result = await runAws(version, gateway.url, ['sqs', 'get-queue-url', '--queue-name', 'missing-queue']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
  });
});
