/**
 * SQS state: queues and their messages, with the semantics of standard and FIFO queues (visibility,
 * delays, retention, FIFO groups and deduplication, redrive to a dead-letter queue, long polling). It
 * speaks in plain values; the provider maps the wire protocols onto it. With a data directory every change
 * is journaled, so queues and messages survive a restart; what was in flight is visible again after it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import { systemClock, type Clock, type TimerHandle } from '#local-cloud/clock';
import { Journal } from '#local-cloud/gateway/journal';
import {
  DEDUPLICATION_WINDOW_MS,
  DEFAULT_FIFO_ATTRIBUTES,
  DEFAULT_QUEUE_ATTRIBUTES,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  SETTABLE_ATTRIBUTES,
} from './constants.ts';

/** A message attribute as the JSON protocol carries it (binary values base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface QueueMeta {
  name: string;
  createdAt: number;
  lastModifiedAt: number;
  /** Settable attributes, as strings. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

/** A message as it is kept on disk. */
export interface PersistedMessage {
  id: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  sentAt: number;
  /** Not receivable before (DelaySeconds). */
  delayedUntil: number;
  receiveCount: number;
  firstReceiveAt?: number;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  senderId: string;
}

interface StoredMessage extends PersistedMessage {
  /** Set while received and not yet visible again. */
  inFlightUntil?: number;
  /** Changes on every receive; the current receipt handle carries it. */
  receiptNonce?: string;
}

interface DedupEntry {
  expiresAt: number;
  messageId: string;
  sequenceNumber?: string;
}

interface Queue {
  meta: QueueMeta;
  messages: StoredMessage[];
  dedup: Map<string, DedupEntry>;
  nextSequence: bigint;
}

type SqsRecord =
  | { t: 'queue'; meta: QueueMeta }
  | { t: 'deleteQueue'; name: string }
  | { t: 'purge'; name: string }
  | { t: 'message'; queue: string; message: PersistedMessage }
  | { t: 'remove'; queue: string; id: string }
  | { t: 'received'; queue: string; id: string; count: number; firstReceiveAt: number }
  | { t: 'dedup'; queue: string; key: string; entry: DedupEntry }
  | { t: 'sequence'; queue: string; next: string };

export interface SendInput {
  body: string;
  delaySeconds?: number;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  deduplicationId?: string;
  senderId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  sequenceNumber?: string;
}

export interface ReceiveOptions {
  maxMessages: number;
  visibilityTimeoutSeconds?: number;
}

/** A received message with its receipt handle. */
export interface ReceivedMessage {
  message: PersistedMessage;
  receiptHandle: string;
}

/** First sequence number of a FIFO queue (AWS's are 20-digit decimals). */
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;

/** Compact the journal after this many appends. */
const COMPACT_AFTER_APPENDS = 5_000;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

/** MD5 hex digest of a string (SQS's MD5OfMessageBody). */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** MD5 of message attributes, computed as SQS documents it (sorted, length-prefixed, transport-typed). */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const value = attributes[name] as MessageAttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined && value.StringValue === undefined) {
      hash.update(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

/** The ARN of a local queue. */
export function queueArn(name: string): string {
  return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}`;
}

function queueDoesNotExist(): AwsServiceError {
  return new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
}

function invalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterValue', message);
}

function isFifo(queue: Queue): boolean {
  return queue.meta.attributes['FifoQueue'] === 'true';
}

function numberAttribute(queue: Queue, name: string): number {
  return Number(queue.meta.attributes[name] ?? DEFAULT_QUEUE_ATTRIBUTES[name] ?? 0);
}

function encodeReceiptHandle(queueName: string, messageId: string, nonce: string): string {
  return Buffer.from(`${queueName}\n${messageId}\n${nonce}`, 'utf8').toString('base64url');
}

function decodeReceiptHandle(handle: string): { queueName: string; messageId: string; nonce: string } {
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) {
    throw new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  }
  return { queueName: parts[0], messageId: parts[1], nonce: parts[2] };
}

/** Checks attribute names and values, returning them normalised (strings). */
function validateAttributes(attributes: Record<string, string>, fifo: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  const numeric: Record<string, [number, number]> = {
    DelaySeconds: [0, 900],
    MaximumMessageSize: [1024, 262144],
    MessageRetentionPeriod: [60, 1209600],
    ReceiveMessageWaitTimeSeconds: [0, 20],
    VisibilityTimeout: [0, MAX_VISIBILITY_TIMEOUT_SECONDS],
  };
  for (const [name, raw] of Object.entries(attributes)) {
    if (!SETTABLE_ATTRIBUTES.has(name)) throw new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    const value = String(raw);
    const range = numeric[name];
    if (range) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
        throw new AwsServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
      }
    }
    if ((name === 'ContentBasedDeduplication' || name === 'DeduplicationScope' || name === 'FifoThroughputLimit') && !fifo) {
      throw new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    if (name === 'RedrivePolicy' && value !== '') parseRedrivePolicy(value);
    result[name] = value;
  }
  return result;
}

/** The redrive policy of a queue, checked. */
function parseRedrivePolicy(value: string): { deadLetterTargetArn: string; maxReceiveCount: number } {
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(value) as typeof policy;
  } catch (cause) {
    const error = new AwsServiceError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.');
    throw Object.assign(error, { cause });
  }
  const maxReceiveCount = Number(policy.maxReceiveCount);
  if (typeof policy.deadLetterTargetArn !== 'string' || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    throw new AwsServiceError('InvalidAttributeValue', 'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn or a valid maxReceiveCount.');
  }
  return { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount };
}

/** How long a deleted queue's name cannot be used again (SQS DeleteQueue: "wait 60 seconds"). */
const QUEUE_DELETED_RECENTLY_MS = 60_000;

/** All queues and their messages. */
export class SqsStore {
  private readonly queues = new Map<string, Queue>();
  private readonly journal: Journal<SqsRecord> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  /** When each queue name was last deleted: AWS refuses to create it again for 60 s (QueueDeletedRecently). */
  private readonly deletedAt = new Map<string, number>();
  /** Deleted queues still answering until their deletion completes (AWS: up to 60 s). */
  private readonly deleting = new Map<string, TimerHandle>();
  private closed = false;

  constructor(
    private readonly clock: Clock = systemClock,
    dataDir?: string,
    /** How long a deleted queue goes on answering before it and its messages are gone. */
    private readonly deleteQueueDelayMs = 0,
  ) {
    if (dataDir) {
      this.journal = new Journal<SqsRecord>(join(dataDir, 'sqs', 'journal.jsonl'));
      for (const record of this.journal.readAll()) this.replay(record);
      this.journal.rewrite(this.snapshot());
    }
  }

  // ---- queues ----

  /** Creates a queue, or returns the existing one when its attributes match. */
  createQueue(name: string, attributes: Record<string, string>, tags: Record<string, string>): QueueMeta {
    const fifo = attributes['FifoQueue'] === 'true';
    if (fifo ? !FIFO_QUEUE_NAME.test(name) : !QUEUE_NAME.test(name)) {
      throw invalidParameter(
        fifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    if (attributes['FifoQueue'] !== undefined && attributes['FifoQueue'] !== 'true') {
      throw new AwsServiceError('InvalidAttributeValue', 'Invalid value for the parameter FifoQueue.');
    }
    const checked = validateAttributes(attributes, fifo);
    delete checked['FifoQueue'];
    const wanted = { ...DEFAULT_QUEUE_ATTRIBUTES, ...(fifo ? DEFAULT_FIFO_ATTRIBUTES : {}), ...checked };
    const deleted = this.deletedAt.get(name);
    if (deleted !== undefined && this.clock.now() - deleted < QUEUE_DELETED_RECENTLY_MS) {
      throw new AwsServiceError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
    }
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(checked)) {
        if (existing.meta.attributes[key] !== value) {
          throw new AwsServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
        }
      }
      return existing.meta;
    }
    const now = this.clock.now();
    const meta: QueueMeta = { name, createdAt: now, lastModifiedAt: now, attributes: wanted, tags: { ...tags } };
    this.queues.set(name, { meta, messages: [], dedup: new Map(), nextSequence: SEQUENCE_BASE });
    this.record({ t: 'queue', meta });
    return meta;
  }

  /** The queue's metadata, or QueueDoesNotExist. */
  getQueue(name: string): QueueMeta {
    return this.queue(name).meta;
  }

  /** Queue names in creation order, optionally by prefix. */
  listQueues(prefix = ''): string[] {
    return [...this.queues.keys()].filter((name) => name.startsWith(prefix));
  }

  /** Changes settable attributes. */
  setAttributes(name: string, attributes: Record<string, string>): void {
    const queue = this.queue(name);
    if (attributes['FifoQueue'] !== undefined && attributes['FifoQueue'] !== queue.meta.attributes['FifoQueue']) {
      throw new AwsServiceError('InvalidAttributeName', 'Invalid attribute name FifoQueue: a queue cannot change type.');
    }
    const checked = validateAttributes(attributes, isFifo(queue));
    for (const [key, value] of Object.entries(checked)) {
      if (key === 'RedrivePolicy' && value === '') delete queue.meta.attributes[key];
      else queue.meta.attributes[key] = value;
    }
    queue.meta.lastModifiedAt = this.clock.now();
    this.record({ t: 'queue', meta: queue.meta });
    this.notify(name);
  }

  /** Adds or replaces tags. */
  tagQueue(name: string, tags: Record<string, string>): void {
    const queue = this.queue(name);
    Object.assign(queue.meta.tags, tags);
    this.record({ t: 'queue', meta: queue.meta });
  }

  /** Removes tags. */
  untagQueue(name: string, keys: readonly string[]): void {
    const queue = this.queue(name);
    for (const key of keys) delete queue.meta.tags[key];
    this.record({ t: 'queue', meta: queue.meta });
  }

  /**
   * Deletes a queue and its messages, once `deleteQueueDelayMs` has passed (until then it answers as before; a
   * second DeleteQueue meanwhile succeeds and changes nothing); waiting receives end then. The journal records
   * the deletion at once: a restart finds the queue gone.
   */
  deleteQueue(name: string): void {
    const queue = this.queue(name);
    if (this.deleting.has(name)) return;
    this.deletedAt.set(name, this.clock.now());
    this.record({ t: 'deleteQueue', name });
    const remove = () => {
      this.deleting.delete(name);
      if (this.queues.get(name) !== queue) return;
      this.queues.delete(name);
      this.notify(name);
    };
    if (this.deleteQueueDelayMs <= 0) return remove();
    this.deleting.set(name, this.clock.setTimeout(remove, this.deleteQueueDelayMs));
  }

  /** Deletes every message of a queue. */
  purge(name: string): void {
    const queue = this.queue(name);
    queue.messages = [];
    this.record({ t: 'purge', name });
  }

  /** The attributes GetQueueAttributes reports, settable and computed. */
  attributesOf(name: string): Record<string, string> {
    const queue = this.queue(name);
    this.expire(queue);
    const now = this.clock.now();
    let visible = 0;
    let notVisible = 0;
    let delayed = 0;
    for (const message of queue.messages) {
      if (message.delayedUntil > now) delayed += 1;
      else if (message.inFlightUntil !== undefined && message.inFlightUntil > now) notVisible += 1;
      else visible += 1;
    }
    return {
      ...queue.meta.attributes,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(notVisible),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.meta.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.meta.lastModifiedAt / 1000)),
      QueueArn: queueArn(name),
    };
  }

  /** Names of queues whose redrive policy points at `name`. */
  deadLetterSourceQueues(name: string): string[] {
    const arn = queueArn(this.queue(name).meta.name);
    return [...this.queues.values()]
      .filter((q) => {
        const policy = q.meta.attributes['RedrivePolicy'];
        return policy !== undefined && parseRedrivePolicy(policy).deadLetterTargetArn === arn;
      })
      .map((q) => q.meta.name);
  }

  // ---- messages ----

  /** Sends one message; a FIFO duplicate within the deduplication window is accepted and dropped. */
  send(name: string, input: SendInput): SendResult {
    const queue = this.queue(name);
    const now = this.clock.now();
    const attributes = input.attributes ?? {};
    const result: SendResult = { messageId: randomUUID(), md5OfBody: md5Hex(input.body) };
    const md5OfAttributes = md5OfMessageAttributes(attributes);
    if (md5OfAttributes) result.md5OfAttributes = md5OfAttributes;
    if (Buffer.byteLength(input.body, 'utf8') > numberAttribute(queue, 'MaximumMessageSize')) {
      throw invalidParameter('One or more parameters are invalid. Reason: Message must be shorter than the queue\'s MaximumMessageSize.');
    }
    if (input.body.length === 0) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter MessageBody.');
    const message: StoredMessage = {
      id: result.messageId,
      body: input.body,
      attributes,
      sentAt: now,
      delayedUntil: now,
      receiveCount: 0,
      senderId: input.senderId ?? LOCAL_ACCOUNT_ID,
    };
    if (isFifo(queue)) {
      if (!input.groupId) throw new AwsServiceError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
      if (input.delaySeconds !== undefined && input.delaySeconds !== 0) {
        throw invalidParameter('Value ' + input.delaySeconds + ' for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
      }
      let deduplicationId = input.deduplicationId;
      if (!deduplicationId) {
        if (queue.meta.attributes['ContentBasedDeduplication'] !== 'true') {
          throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
        deduplicationId = createHash('sha256').update(input.body, 'utf8').digest('hex');
      }
      const dedupKey = queue.meta.attributes['DeduplicationScope'] === 'messageGroup' ? `${input.groupId}\n${deduplicationId}` : deduplicationId;
      const seen = queue.dedup.get(dedupKey);
      if (seen && seen.expiresAt > now) {
        result.messageId = seen.messageId;
        if (seen.sequenceNumber) result.sequenceNumber = seen.sequenceNumber;
        return result;
      }
      message.groupId = input.groupId;
      message.deduplicationId = deduplicationId;
      message.sequenceNumber = this.nextSequence(queue);
      message.delayedUntil = now + numberAttribute(queue, 'DelaySeconds') * 1000;
      result.sequenceNumber = message.sequenceNumber;
      const entry: DedupEntry = { expiresAt: now + DEDUPLICATION_WINDOW_MS, messageId: message.id, sequenceNumber: message.sequenceNumber };
      queue.dedup.set(dedupKey, entry);
      this.record({ t: 'dedup', queue: name, key: dedupKey, entry });
    } else {
      if (input.groupId) message.groupId = input.groupId;
      const delay = input.delaySeconds ?? numberAttribute(queue, 'DelaySeconds');
      if (!Number.isInteger(delay) || delay < 0 || delay > 900) throw invalidParameter(`Value ${delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900.`);
      message.delayedUntil = now + delay * 1000;
    }
    queue.messages.push(message);
    this.record({ t: 'message', queue: name, message: this.persisted(message) });
    this.notify(name);
    return result;
  }

  /** Receives now what is receivable (no waiting); redrives messages past maxReceiveCount. */
  receiveNow(name: string, options: ReceiveOptions): ReceivedMessage[] {
    const queue = this.queue(name);
    this.expire(queue);
    const now = this.clock.now();
    const fifo = isFifo(queue);
    const visibilitySeconds = options.visibilityTimeoutSeconds ?? numberAttribute(queue, 'VisibilityTimeout');
    const redrive = queue.meta.attributes['RedrivePolicy'] ? parseRedrivePolicy(queue.meta.attributes['RedrivePolicy']) : undefined;
    const blockedGroups = new Set<string>();
    if (fifo) {
      for (const m of queue.messages) if (m.inFlightUntil !== undefined && m.inFlightUntil > now && m.groupId) blockedGroups.add(m.groupId);
    }
    const received: ReceivedMessage[] = [];
    const redriven: StoredMessage[] = [];
    for (const message of queue.messages) {
      if (received.length >= options.maxMessages) break;
      if (fifo && message.groupId && blockedGroups.has(message.groupId)) continue;
      const visible = message.delayedUntil <= now && (message.inFlightUntil === undefined || message.inFlightUntil <= now);
      if (!visible) {
        // A FIFO group waits behind its delayed head, keeping order.
        if (fifo && message.groupId) blockedGroups.add(message.groupId);
        continue;
      }
      if (redrive && message.receiveCount >= redrive.maxReceiveCount && this.queues.has(arnToName(redrive.deadLetterTargetArn))) {
        redriven.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveAt ??= now;
      message.inFlightUntil = now + visibilitySeconds * 1000;
      message.receiptNonce = randomUUID();
      this.record({ t: 'received', queue: name, id: message.id, count: message.receiveCount, firstReceiveAt: message.firstReceiveAt });
      received.push({ message: this.persisted(message), receiptHandle: encodeReceiptHandle(name, message.id, message.receiptNonce) });
    }
    if (redrive) for (const message of redriven) this.moveToDeadLetterQueue(queue, message, arnToName(redrive.deadLetterTargetArn));
    return received;
  }

  /**
   * Receives, waiting up to `waitSeconds` for a message (long polling): answers as soon as one can be
   * received, or empty when the time is up or the store closes.
   */
  async receive(name: string, options: ReceiveOptions, waitSeconds: number): Promise<ReceivedMessage[]> {
    const deadline = this.clock.now() + waitSeconds * 1000;
    for (;;) {
      const received = this.receiveNow(name, options);
      if (received.length > 0 || this.clock.now() >= deadline || this.closed) return received;
      await this.waitForChange(name, deadline);
    }
  }

  /** Deletes a message by receipt handle; a stale handle succeeds without deleting (as SQS does). */
  deleteMessage(name: string, receiptHandle: string): void {
    const queue = this.queue(name);
    const handle = decodeReceiptHandle(receiptHandle);
    if (handle.queueName !== name) throw new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid for this queue.`);
    const index = queue.messages.findIndex((m) => m.id === handle.messageId);
    const message = queue.messages[index];
    if (!message || message.receiptNonce !== handle.nonce) return;
    queue.messages.splice(index, 1);
    this.record({ t: 'remove', queue: name, id: message.id });
    if (isFifo(queue)) this.notify(name);
  }

  /** Changes the visibility timeout of a received message. */
  changeVisibility(name: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.queue(name);
    const handle = decodeReceiptHandle(receiptHandle);
    if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 0 || visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw invalidParameter(`Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
    }
    const message = queue.messages.find((m) => m.id === handle.messageId);
    const now = this.clock.now();
    if (!message || message.inFlightUntil === undefined || message.inFlightUntil <= now) {
      throw new AwsServiceError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    }
    if (message.receiptNonce !== handle.nonce) {
      throw invalidParameter(`Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    message.inFlightUntil = now + visibilityTimeoutSeconds * 1000;
    this.notify(name);
  }

  /** Ends waiting receives and timers. */
  close(): void {
    this.closed = true;
    for (const timer of this.deleting.values()) timer.cancel();
    this.deleting.clear();
    for (const name of [...this.waiters.keys()]) this.notify(name);
  }

  // ---- internals ----

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private nextSequence(queue: Queue): string {
    const value = queue.nextSequence;
    queue.nextSequence += 1n;
    return value.toString();
  }

  private persisted(message: StoredMessage): PersistedMessage {
    const { inFlightUntil: _inFlight, receiptNonce: _nonce, ...rest } = message;
    return { ...rest, attributes: { ...rest.attributes } };
  }

  private moveToDeadLetterQueue(source: Queue, message: StoredMessage, dlqName: string): void {
    const dlq = this.queue(dlqName);
    source.messages = source.messages.filter((m) => m !== message);
    this.record({ t: 'remove', queue: source.meta.name, id: message.id });
    const moved: StoredMessage = { ...this.persisted(message), delayedUntil: message.sentAt };
    if (isFifo(dlq)) moved.sequenceNumber = this.nextSequence(dlq);
    dlq.messages.push(moved);
    this.record({ t: 'message', queue: dlqName, message: this.persisted(moved) });
    this.notify(dlqName);
  }

  /** Drops messages older than the retention period and expired deduplication entries. */
  private expire(queue: Queue): void {
    const now = this.clock.now();
    const retentionMs = numberAttribute(queue, 'MessageRetentionPeriod') * 1000;
    const kept = queue.messages.filter((m) => m.sentAt + retentionMs > now);
    if (kept.length !== queue.messages.length) {
      for (const m of queue.messages) if (!kept.includes(m)) this.record({ t: 'remove', queue: queue.meta.name, id: m.id });
      queue.messages = kept;
    }
    for (const [key, entry] of queue.dedup) if (entry.expiresAt <= now) queue.dedup.delete(key);
  }

  /** Resolves when the queue changes, its next message becomes visible, the deadline passes or the store closes. */
  private waitForChange(name: string, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.queues.get(name);
      const now = this.clock.now();
      let wakeAt = deadline;
      if (queue) {
        for (const m of queue.messages) {
          const at = Math.max(m.delayedUntil, m.inFlightUntil ?? 0);
          if (at > now && at < wakeAt) wakeAt = at;
        }
      }
      let timer: TimerHandle | undefined;
      const set = this.waiters.get(name) ?? new Set<() => void>();
      this.waiters.set(name, set);
      const wake = (): void => {
        timer?.cancel();
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(name);
        resolve();
      };
      set.add(wake);
      timer = this.clock.setTimeout(wake, wakeAt - now);
    });
  }

  private notify(name: string): void {
    const set = this.waiters.get(name);
    if (set) for (const wake of [...set]) wake();
  }

  private record(record: SqsRecord): void {
    if (!this.journal) return;
    // A queue being deleted is gone for the journal already (its deletion is recorded).
    const queueName = record.t === 'queue' ? record.meta.name : record.t === 'deleteQueue' ? undefined : record.t === 'purge' ? record.name : record.queue;
    if (queueName !== undefined && this.deleting.has(queueName)) return;
    this.journal.append(record);
    if (this.journal.appendedCount > COMPACT_AFTER_APPENDS) this.journal.rewrite(this.snapshot());
  }

  /** The current state as journal records. */
  private *snapshot(): Generator<SqsRecord> {
    for (const queue of this.queues.values()) {
      if (this.deleting.has(queue.meta.name)) continue;
      yield { t: 'queue', meta: queue.meta };
      yield { t: 'sequence', queue: queue.meta.name, next: queue.nextSequence.toString() };
      for (const [key, entry] of queue.dedup) yield { t: 'dedup', queue: queue.meta.name, key, entry };
      for (const message of queue.messages) yield { t: 'message', queue: queue.meta.name, message: this.persisted(message) };
    }
  }

  private replay(record: SqsRecord): void {
    if (record.t === 'queue') {
      const existing = this.queues.get(record.meta.name);
      if (existing) existing.meta = record.meta;
      else this.queues.set(record.meta.name, { meta: record.meta, messages: [], dedup: new Map(), nextSequence: SEQUENCE_BASE });
      return;
    }
    if (record.t === 'deleteQueue') {
      this.queues.delete(record.name);
      return;
    }
    const queue = this.queues.get(record.t === 'purge' ? record.name : record.queue);
    if (!queue) return;
    switch (record.t) {
      case 'purge':
        queue.messages = [];
        break;
      case 'message':
        queue.messages.push({ ...record.message });
        if (record.message.sequenceNumber) {
          const next = BigInt(record.message.sequenceNumber) + 1n;
          if (next > queue.nextSequence) queue.nextSequence = next;
        }
        break;
      case 'remove':
        queue.messages = queue.messages.filter((m) => m.id !== record.id);
        break;
      case 'received': {
        const message = queue.messages.find((m) => m.id === record.id);
        if (message) {
          message.receiveCount = record.count;
          message.firstReceiveAt = record.firstReceiveAt;
        }
        break;
      }
      case 'dedup':
        queue.dedup.set(record.key, record.entry);
        break;
      case 'sequence': {
        const next = BigInt(record.next);
        if (next > queue.nextSequence) queue.nextSequence = next;
        break;
      }
    }
  }
}

/** The queue name at the end of a queue ARN. */
export function arnToName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
