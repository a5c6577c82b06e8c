/**
 * The session queue's consumer: long-polls, validates every body, hands callbacks to the callback
 * handler and commands, strictly in order, to the command processor. A message is deleted only once it
 * is done with; while a message is worked on, its visibility is extended.
 *
 * One message per receive (RECEIVE_MAX_MESSAGES). SQS FIFO hands out a group's messages in order and none
 * while one of the group is in flight, so a receive of one message only ever gets the head of the commands
 * group: a command is received only when it is about to be tried, and while the head keeps failing (held
 * for a back-off, or held while its record cannot be reached) the commands behind it are not received at all. Their
 * receive counts stay put and none reaches the dead-letter queue untried with the head. (A batch of ten
 * would hand out the commands behind the head with it, count a receive on each every time the head is
 * retried, and dead-letter them with it.)
 *
 * Long polls are short (RECEIVE_WAIT_SECONDS): SQS hands messages to a poll whose client is gone (a killed
 * controller's) and keeps them invisible for the visibility timeout, so a long poll left behind by a dead
 * controller would swallow its replacement's READY token for COMMAND_VISIBILITY_TIMEOUT_SECONDS.
 *
 * The queue gone (QueueDoesNotExist: Teardown deleted it) ends the loop: the controller stops instead of
 * polling a queue that will never come back.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
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
import type { CommandProcessor, Disposition } from './command-processor.ts';

/** Long-poll wait: at most this long may a poll outlive a killed controller (see above). */
export const RECEIVE_WAIT_SECONDS = 1;
/** Back-off before a transiently failed command is delivered again: this many seconds per delivery so far. */
export const RETRY_BACKOFF_SECONDS = 1;
/** One message per receive: only a group's head is ever received (see above). */
export const RECEIVE_MAX_MESSAGES = 1;
const RECEIVE_ERROR_BACKOFF_MS = 1000;

/** Why the loop ended: told to stop, or its queue was deleted. */
export type LoopEnd = 'stopped' | 'queue-gone';

/** Whether an SQS error says the queue does not exist (any protocol's name for it). */
export function isQueueGone(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}

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
  /** The stop signal of the running loop (passed on to the command processor). */
  private signal?: AbortSignal;

  constructor(private readonly options: QueueLoopOptions) {
    this.visibility = options.visibilityTimeoutSeconds ?? COMMAND_VISIBILITY_TIMEOUT_SECONDS;
  }

  /** Polls until `signal` aborts (the current message is finished first) or the queue is gone. */
  async run(signal: AbortSignal): Promise<LoopEnd> {
    this.signal = signal;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.receive(signal);
      } catch (error) {
        if (signal.aborted) return 'stopped';
        if (isQueueGone(error)) {
          this.options.logger.warn('The command queue is gone; the controller stops');
          return 'queue-gone';
        }
        this.options.logger.warn('ReceiveMessage failed; retrying', { error: (error as Error).name });
        await new Promise((resolve) => setTimeout(resolve, RECEIVE_ERROR_BACKOFF_MS));
        continue;
      }
      await this.processBatch(messages);
    }
    return 'stopped';
  }

  /**
   * Waits for a READY token (until `deadline` or `signal`) without working on commands: a command received
   * meanwhile is held (its group stays locked, so nothing behind it is received) and released at the end,
   * so the wait costs it one receive however long it lasts. Resolves to the token's message, or why none came.
   */
  async receiveReadyToken(deadline: number, signal: AbortSignal): Promise<{ message: CallbackMessage; receiptHandle: string } | 'queue-gone' | 'none'> {
    const held: Message[] = [];
    const keepAlive = setInterval(() => void this.extendVisibility(held), (this.visibility * 1000) / 2);
    try {
      while (!signal.aborted && Date.now() < deadline) {
        let messages: Message[];
        try {
          messages = await this.receive(AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, deadline - Date.now()))]));
        } catch (error) {
          if (isQueueGone(error)) return 'queue-gone';
          continue;
        }
        for (const message of messages) {
          const parsed = QueueMessage.safeParse(safeJson(message.Body));
          if (parsed.success && parsed.data.kind === 'CALLBACK' && parsed.data.callback === 'READY' && message.ReceiptHandle) {
            return { message: parsed.data, receiptHandle: message.ReceiptHandle };
          }
          held.push(message);
        }
      }
      return 'none';
    } finally {
      clearInterval(keepAlive);
      for (const message of held) await this.setVisibility(message, 0);
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

  /**
   * Works through one batch: its callbacks first, then its commands in order. A command left for a retry
   * (or whose processing threw) holds back the later commands of the batch, which are released at once
   * (visibility 0) so they follow it in order.
   */
  async processBatch(messages: Message[]): Promise<void> {
    const isCommand = (m: Message) => m.Attributes?.MessageGroupId === COMMAND_MESSAGE_GROUP;
    const ordered = [...messages.filter((m) => !isCommand(m)), ...messages.filter(isCommand)];
    const pending = new Set(ordered);
    const keepAlive = setInterval(() => void this.extendVisibility([...pending]), (this.visibility * 1000) / 2);
    const held: Message[] = [];
    try {
      for (const message of ordered) {
        if (held.length > 0 && isCommand(message)) {
          pending.delete(message);
          held.push(message);
          continue;
        }
        let disposition: Disposition | 'keep';
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
        else if (disposition === 'dead-letter') await this.setVisibility(message, 0);
        else if (disposition === 'retry') await this.setVisibility(message, RETRY_BACKOFF_SECONDS * this.receiveCountOf(message));
        if ((disposition === 'retry' || disposition === 'keep') && isCommand(message)) held.push(message);
      }
    } finally {
      clearInterval(keepAlive);
    }
    // The commands behind a held one go back at once, to be delivered after it.
    for (const message of held.slice(1)) await this.setVisibility(message, 0);
  }

  private receiveCountOf(message: Message): number {
    return Number(message.Attributes?.ApproximateReceiveCount ?? '1');
  }

  private async processMessage(message: Message): Promise<Disposition> {
    const receiveCount = this.receiveCountOf(message);
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
    return this.options.commands.process(data, receiveCount, this.signal);
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

  private async setVisibility(message: Message, seconds: number): Promise<void> {
    try {
      await this.options.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }),
      );
    } catch (error) {
      // It becomes visible again when its visibility timeout ends.
      this.options.logger.warn('Changing message visibility failed', { messageId: message.MessageId, error: (error as Error).name });
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

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
