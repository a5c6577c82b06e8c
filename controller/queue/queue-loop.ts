/**
 * The session queue's consumer: long-polls, validates every body, hands callbacks to the callback
 * handler and commands, strictly in order, to the command processor. A message is deleted only once it
 * is done with; while a batch is worked on, the visibility of its remaining messages is extended.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  COMMAND_MESSAGE_GROUP,
  COMMAND_VISIBILITY_TIMEOUT_SECONDS,
  QueueMessage,
  type CallbackMessage,
} from '#contract/index';
import type { Logger } from '../logger.ts';
import type { CommandProcessor } from './command-processor.ts';

export const RECEIVE_WAIT_SECONDS = 20;
export const RECEIVE_MAX_MESSAGES = 10;
const RECEIVE_ERROR_BACKOFF_MS = 1000;

export interface QueueLoopOptions {
  sqs: SQSClient;
  queueUrl: string;
  sessionId: string;
  commands: Pick<CommandProcessor, 'process' | 'failInvalid'>;
  callbacks: { handle(message: CallbackMessage): Promise<void> };
  logger: Logger;
  visibilityTimeoutSeconds?: number;
}

export class QueueLoop {
  private readonly visibility: number;

  constructor(private readonly options: QueueLoopOptions) {
    this.visibility = options.visibilityTimeoutSeconds ?? COMMAND_VISIBILITY_TIMEOUT_SECONDS;
  }

  /** Polls until `signal` aborts (the current batch is finished first). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.receive(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.options.logger.warn('ReceiveMessage failed; retrying', { error: (error as Error).name });
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_ERROR_BACKOFF_MS));
        continue;
      }
      await this.processBatch(messages);
    }
  }

  /** One long poll. */
  async receive(signal?: AbortSignal): Promise<Message[]> {
    const output = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
        MaxNumberOfMessages: RECEIVE_MAX_MESSAGES,
        VisibilityTimeout: this.visibility,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SequenceNumber'],
      }),
      { abortSignal: signal },
    );
    return output.Messages ?? [];
  }

  /** Works through one batch in order. A command left for redelivery holds back the later commands of the batch. */
  async processBatch(messages: Message[]): Promise<void> {
    const pending = new Set(messages);
    const keepAlive = setInterval(() => void this.extendVisibility([...pending]), (this.visibility * 1000) / 2);
    let commandsHeld = false;
    try {
      for (const message of messages) {
        const isCommandGroup = message.Attributes?.MessageGroupId === COMMAND_MESSAGE_GROUP;
        if (commandsHeld && isCommandGroup) {
          pending.delete(message);
          continue;
        }
        let disposition: 'delete' | 'keep';
        try {
          disposition = await this.processMessage(message);
        } catch (error) {
          this.options.logger.warn('Message processing failed; left for redelivery', {
            messageId: message.MessageId,
            reason: (error as Error).message,
          });
          disposition = 'keep';
        }
        pending.delete(message);
        if (disposition === 'delete') await this.delete(message);
        else if (isCommandGroup) commandsHeld = true;
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async processMessage(message: Message): Promise<'delete' | 'keep'> {
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    let body: unknown;
    try {
      body = JSON.parse(message.Body ?? '');
    } catch {
      this.options.logger.error('Queue message is not JSON; deleted', { messageId: message.MessageId });
      return 'delete';
    }
    const parsed = QueueMessage.safeParse(body);
    if (!parsed.success || parsed.data.sessionId !== this.options.sessionId) {
      const reason = parsed.success
        ? 'message is for another session'
        : `invalid queue message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      // Never log the body: a callback carries a task token.
      this.options.logger.error('Queue message refused; deleted', { messageId: message.MessageId, reason });
      await this.failInvalidCommand(body, reason, receiveCount);
      return 'delete';
    }
    const data = parsed.data;
    if (data.kind === 'CALLBACK') {
      await this.options.callbacks.handle(data);
      return 'delete';
    }
    return this.options.commands.process(data, receiveCount);
  }

  /** Marks an invalid command FAILED when its body names this session and a command id. */
  private async failInvalidCommand(body: unknown, reason: string, receiveCount: number): Promise<void> {
    if (typeof body !== 'object' || body === null) return;
    const { kind, sessionId, commandId, acceptedAt } = body as Record<string, unknown>;
    if (kind !== 'COMMAND' || sessionId !== this.options.sessionId || typeof commandId !== 'string' || !commandId) return;
    await this.options.commands.failInvalid(
      commandId,
      typeof acceptedAt === 'string' ? acceptedAt : new Date(0).toISOString(),
      reason,
      receiveCount,
    );
  }

  private async delete(message: Message): Promise<void> {
    try {
      await this.options.sqs.send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      // The record's status keeps a redelivered command from being applied twice.
      this.options.logger.warn('DeleteMessage failed', { messageId: message.MessageId, error: (error as Error).name });
    }
  }

  private async extendVisibility(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: this.visibility })),
        }),
      );
    } catch (error) {
      this.options.logger.warn('Extending message visibility failed', { error: (error as Error).name });
    }
  }
}
