/**
 * The controller's queue loop against a queue Teardown deleted, on the local SQS as AWS deletes queues: "the
 * deletion process takes up to 60 seconds. Requests you send involving that queue during the 60 seconds might
 * succeed" (SQS API Reference, DeleteQueue). The loop must neither rely on the queue vanishing at once nor
 * poll it for ever: it keeps serving while the queue answers and stops on QueueDoesNotExist whenever that
 * comes. The window is a few seconds here (the local cloud's `deleteQueueDelayMs`; `npm start` models 60 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_MESSAGE_GROUP, type CommandMessage } from '#contract/index';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { QueueLoop } from '#controller/queue/queue-loop';
import type { Disposition } from '#controller/queue/command-processor';
import { silentLogger } from '#test/unit/controller/test-logger';

const SESSION = '22222222-2222-4222-8222-222222222222';
/** Long enough for the loop to take a message sent after DeleteQueue on a loaded machine. */
const DELETE_WINDOW_MS = 5_000;

let gateway: Gateway;
let sqs: SQSClient;

beforeAll(async () => {
  gateway = await startGateway({ port: 0, providers: [createSqsProvider({ deleteQueueDelayMs: DELETE_WINDOW_MS })] });
  sqs = new SQSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  sqs.destroy();
  await gateway.close();
});

const command = (commandId: string): CommandMessage => ({
  kind: 'COMMAND',
  sessionId: SESSION,
  commandId,
  acceptedAt: new Date().toISOString(),
  command: { type: 'SET_VOLUME', volume: 0.5 },
});

describe('QueueLoop on a deleted queue that answers for a while (as SQS deletes queues)', () => {
  it('serves the queue while it answers, then stops on QueueDoesNotExist', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'shelcaster-program-commands-deleted.fifo', Attributes: { FifoQueue: 'true' } }));
    const applied: { commandId: string; at: number }[] = [];
    const loop = new QueueLoop({
      sqs,
      queueUrl: QueueUrl!,
      sessionId: SESSION,
      commands: {
        process: async (message: CommandMessage): Promise<Disposition> => {
          applied.push({ commandId: message.commandId, at: Date.now() });
          return 'delete';
        },
        failInvalid: async () => undefined,
      },
      callbacks: { handle: async () => undefined },
      logger: silentLogger(),
    });
    const running = loop.run(new AbortController().signal);

    const deletedAt = Date.now();
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    // Within the window the queue still takes messages, and the loop still applies them.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(command('after-delete')), MessageGroupId: COMMAND_MESSAGE_GROUP, MessageDeduplicationId: 'after-delete' }));

    await expect(running).resolves.toBe('queue-gone');
    const endedAt = Date.now();
    expect(applied.map((a) => a.commandId)).toEqual(['after-delete']);
    // It stopped because the queue went, which happens only at the end of the window.
    expect(endedAt - deletedAt).toBeGreaterThanOrEqual(DELETE_WINDOW_MS);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'shelcaster-program-commands-deleted.fifo' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  }, 30_000);
});
