/**
 * The local SQS: standard and FIFO queues behind both wire protocols, the JSON 1.0 protocol of the
 * current SDKs (`x-amz-target: AmazonSQS.<Op>`, errors with `__type` and the `x-amzn-query-error` header)
 * and the query protocol of AWS CLI 2.9 (form-encoded `Action=`, XML answers). Queue URLs are
 * `http://<request host>/000000000000/<name>`.
 *
 * LIMITATIONS (what it does not emulate):
 * - No IAM, queue policies, KMS or server-side encryption (attributes are stored and echoed, not enforced).
 * - No message move tasks (StartMessageMoveTask, ...), no AddPermission/RemovePermission.
 * - ReceiveRequestAttemptId is accepted and ignored; FIFO high-throughput mode changes nothing.
 * - Counts are exact (AWS's are approximate); standard queues deliver in send order, exactly once per
 *   visibility window (AWS may reorder or duplicate).
 * - A deleted queue goes on answering, with its messages, for `deleteQueueDelayMs` (0 by default; `npm start`
 *   sets AWS's 60 s: "the deletion process takes up to 60 seconds. Requests you send involving that queue
 *   during the 60 seconds might succeed", SQS API Reference, DeleteQueue), then it and its messages are gone
 *   (QueueDoesNotExist; waiting receives end); its name cannot be used again for 60 s after the DeleteQueue
 *   (`QueueDeletedRecently`, as on AWS; kept in memory, not across a restart, and a restart within the window
 *   finds the queue gone). AWS's "might" is modelled as its least kind case for a consumer: everything
 *   succeeds until the end of the window. PurgeQueue has no 60 s limit.
 * - A receipt handle stays valid until the next receive of its message (AWS also expires them after 12 h).
 * - Signatures are not verified.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { LOCAL_ACCOUNT_ID, type AwsRequest, type AwsResponse, type ServiceProvider } from '#local-cloud/gateway/provider';
import { systemClock, type Clock } from '#local-cloud/clock';
import {
  COMPUTED_ATTRIBUTES,
  MAX_BATCH_ENTRIES,
  MAX_MESSAGES_PER_RECEIVE,
  MAX_WAIT_TIME_SECONDS,
  MESSAGE_SYSTEM_ATTRIBUTES,
  SQS_ERRORS,
  SQS_TARGET_PREFIX,
} from './constants.ts';
import { parseQueryRequest, queryErrorXml, queryResponseXml } from './query-protocol.ts';
import { md5Hex as md5, md5OfMessageAttributes, SqsStore, type MessageAttributeValue, type PersistedMessage } from './store.ts';

export interface SqsProviderOptions {
  /** The local cloud's data directory (state goes in `<dataDir>/sqs/`); in memory when absent. */
  dataDir?: string;
  clock?: Clock;
  /** How long a deleted queue goes on answering (AWS: up to 60 s; default 0, gone at once). */
  deleteQueueDelayMs?: number;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown> | undefined;

interface CallContext {
  /** `http://host:port` of the request, for queue URLs. */
  origin: string;
  /** Queue name from a request sent to the queue URL itself (query protocol). */
  pathQueueName?: string;
}

function requireString(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw new AwsServiceError('MissingParameter', `The request must contain the parameter ${key}.`);
  return value;
}

function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

function optionalInteger(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new AwsServiceError('InvalidParameterValue', `Value ${String(value)} for parameter ${key} is invalid.`);
  return n;
}

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) map[k] = String(v);
  return map;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Message attributes from either protocol, checked as SQS checks them. */
function messageAttributes(value: unknown): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  if (!value || typeof value !== 'object') return result;
  const entries = Object.entries(value as Record<string, Record<string, unknown>>);
  if (entries.length > 10) throw new AwsServiceError('InvalidParameterValue', 'Number of message attributes exceeds the allowed maximum of 10.');
  for (const [name, attribute] of entries) {
    const dataType = typeof attribute['DataType'] === 'string' ? attribute['DataType'] : '';
    if (!dataType) throw new AwsServiceError('InvalidParameterValue', `The message attribute '${name}' must contain a non-empty attribute type.`);
    const item: MessageAttributeValue = { DataType: dataType };
    if (typeof attribute['StringValue'] === 'string') item.StringValue = attribute['StringValue'];
    if (typeof attribute['BinaryValue'] === 'string') item.BinaryValue = attribute['BinaryValue'];
    if (item.StringValue === undefined && item.BinaryValue === undefined) {
      throw new AwsServiceError('InvalidParameterValue', `The message attribute '${name}' must contain a non-empty message attribute value.`);
    }
    result[name] = item;
  }
  return result;
}

/** Which message attributes a receiver asked for (`All`, `.*`, `prefix.*`, or names). */
function selectAttributes(all: Record<string, MessageAttributeValue>, names: string[]): Record<string, MessageAttributeValue> | undefined {
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(all)) {
    const wanted = names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    if (wanted) selected[name] = value;
  }
  return Object.keys(selected).length > 0 ? selected : undefined;
}

/** System attributes of a received message, as requested. */
function systemAttributes(message: PersistedMessage, names: string[]): Record<string, string> | undefined {
  const all = names.includes('All');
  const out: Record<string, string> = {};
  const values: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveAt === undefined ? undefined : String(message.firstReceiveAt),
    MessageDeduplicationId: message.deduplicationId,
    MessageGroupId: message.groupId,
    SequenceNumber: message.sequenceNumber,
  };
  for (const name of MESSAGE_SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if ((all || names.includes(name)) && value !== undefined) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The SQS service provider. */
export class SqsProvider implements ServiceProvider {
  readonly signingNames = ['sqs'] as const;
  readonly targetPrefixes = [SQS_TARGET_PREFIX] as const;
  readonly store: SqsStore;

  constructor(options: SqsProviderOptions = {}) {
    this.store = new SqsStore(options.clock ?? systemClock, options.dataDir, options.deleteQueueDelayMs ?? 0);
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const requestId = randomUUID();
    const target = request.headers['x-amz-target'];
    const json = target !== undefined;
    let action = '';
    let input: Input = {};
    try {
      if (json) {
        action = target.slice(target.indexOf('.') + 1);
        input = request.body.length > 0 ? (JSON.parse(request.body.toString('utf8')) as Input) : {};
      } else {
        const form = new URLSearchParams(request.body.toString('utf8'));
        for (const [k, v] of request.query) if (!form.has(k)) form.set(k, v);
        ({ action, input } = parseQueryRequest(form));
      }
      const match = /^\/(\d{12})\/([^/]+)$/.exec(request.path);
      const context: CallContext = { origin: `http://${request.headers['host'] ?? '127.0.0.1'}` };
      if (match?.[2]) context.pathQueueName = decodeURIComponent(match[2]);
      const output = await this.dispatch(action, input, context);
      if (json) {
        return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId }, body: JSON.stringify(output ?? {}) };
      }
      return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: queryResponseXml(action, output, requestId) };
    } catch (error) {
      if (error instanceof SyntaxError) return this.errorResponse(json, 'InvalidParameterValue', 'The request body is not valid JSON.', 'Sender', requestId);
      if (!(error instanceof AwsServiceError)) throw error;
      return this.errorResponse(json, error.code, error.message, error.fault, requestId);
    }
  }

  async close(): Promise<void> {
    this.store.close();
  }

  private errorResponse(json: boolean, code: string, message: string, fault: 'Sender' | 'Receiver', requestId: string): AwsResponse {
    const known = SQS_ERRORS[code];
    const queryCode = known?.queryCode ?? code;
    const status = known?.status ?? 400;
    if (json) {
      return {
        status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': `${queryCode};${fault}`,
        },
        body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
      };
    }
    return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: queryErrorXml(queryCode, message, fault, requestId) };
  }

  private queueUrl(origin: string, name: string): string {
    return `${origin}/${LOCAL_ACCOUNT_ID}/${name}`;
  }

  /** The queue name a request addresses (QueueUrl, else the path it was sent to). */
  private queueName(input: Input, context: CallContext): string {
    const url = optionalString(input, 'QueueUrl');
    if (url) {
      const name = url.slice(url.lastIndexOf('/') + 1);
      this.store.getQueue(name);
      return name;
    }
    if (context.pathQueueName) {
      this.store.getQueue(context.pathQueueName);
      return context.pathQueueName;
    }
    throw new AwsServiceError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }

  private async dispatch(action: string, input: Input, context: CallContext): Promise<Output> {
    const store = this.store;
    switch (action) {
      case 'CreateQueue': {
        const name = requireString(input, 'QueueName');
        store.createQueue(name, stringMap(input['Attributes']), stringMap(input['tags']));
        return { QueueUrl: this.queueUrl(context.origin, name) };
      }
      case 'GetQueueUrl': {
        const name = requireString(input, 'QueueName');
        store.getQueue(name);
        return { QueueUrl: this.queueUrl(context.origin, name) };
      }
      case 'ListQueues': {
        const names = store.listQueues(optionalString(input, 'QueueNamePrefix') ?? '');
        const max = optionalInteger(input, 'MaxResults');
        const start = Number(optionalString(input, 'NextToken') ?? '0') || 0;
        const page = max ? names.slice(start, start + max) : names.slice(0, 1000);
        const output: Record<string, unknown> = {};
        if (page.length > 0) output['QueueUrls'] = page.map((n) => this.queueUrl(context.origin, n));
        if (max && start + max < names.length) output['NextToken'] = String(start + max);
        return output;
      }
      case 'GetQueueAttributes': {
        const name = this.queueName(input, context);
        const names = stringList(input['AttributeNames']);
        const all = store.attributesOf(name);
        for (const n of names) {
          if (n !== 'All' && !(n in all) && !(COMPUTED_ATTRIBUTES as readonly string[]).includes(n) && !['RedrivePolicy', 'Policy', 'KmsMasterKeyId', 'RedriveAllowPolicy', 'KmsDataKeyReusePeriodSeconds'].includes(n)) {
            throw new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${n}.`);
          }
        }
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(all)) if (names.includes('All') || names.includes(k)) attributes[k] = v;
        return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
      }
      case 'SetQueueAttributes':
        store.setAttributes(this.queueName(input, context), stringMap(input['Attributes']));
        return undefined;
      case 'DeleteQueue':
        store.deleteQueue(this.queueName(input, context));
        return undefined;
      case 'PurgeQueue':
        store.purge(this.queueName(input, context));
        return undefined;
      case 'TagQueue':
        store.tagQueue(this.queueName(input, context), stringMap(input['Tags'] ?? input['tags']));
        return undefined;
      case 'UntagQueue':
        store.untagQueue(this.queueName(input, context), stringList(input['TagKeys']));
        return undefined;
      case 'ListQueueTags': {
        const tags = store.getQueue(this.queueName(input, context)).tags;
        return Object.keys(tags).length > 0 ? { Tags: { ...tags } } : {};
      }
      case 'ListDeadLetterSourceQueues':
        return { queueUrls: store.deadLetterSourceQueues(this.queueName(input, context)).map((n) => this.queueUrl(context.origin, n)) };
      case 'SendMessage':
        return this.sendOne(this.queueName(input, context), input);
      case 'SendMessageBatch': {
        const name = this.queueName(input, context);
        return this.batch(input, (entry) => this.sendOne(name, entry));
      }
      case 'ReceiveMessage':
        return this.receive(this.queueName(input, context), input);
      case 'DeleteMessage':
        store.deleteMessage(this.queueName(input, context), requireString(input, 'ReceiptHandle'));
        return undefined;
      case 'DeleteMessageBatch': {
        const name = this.queueName(input, context);
        return this.batch(input, (entry) => {
          store.deleteMessage(name, requireString(entry, 'ReceiptHandle'));
          return {};
        });
      }
      case 'ChangeMessageVisibility':
        store.changeVisibility(this.queueName(input, context), requireString(input, 'ReceiptHandle'), optionalInteger(input, 'VisibilityTimeout') ?? NaN);
        return undefined;
      case 'ChangeMessageVisibilityBatch': {
        const name = this.queueName(input, context);
        return this.batch(input, (entry) => {
          store.changeVisibility(name, requireString(entry, 'ReceiptHandle'), optionalInteger(entry, 'VisibilityTimeout') ?? NaN);
          return {};
        });
      }
      default:
        throw new AwsServiceError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    }
  }

  private sendOne(name: string, input: Input): Record<string, unknown> {
    const send: Parameters<SqsStore['send']>[1] = { body: typeof input['MessageBody'] === 'string' ? input['MessageBody'] : '' };
    const delaySeconds = optionalInteger(input, 'DelaySeconds');
    if (delaySeconds !== undefined) send.delaySeconds = delaySeconds;
    const attributes = messageAttributes(input['MessageAttributes']);
    if (Object.keys(attributes).length > 0) send.attributes = attributes;
    const groupId = optionalString(input, 'MessageGroupId');
    if (groupId) send.groupId = groupId;
    const deduplicationId = optionalString(input, 'MessageDeduplicationId');
    if (deduplicationId) send.deduplicationId = deduplicationId;
    const result = this.store.send(name, send);
    const output: Record<string, unknown> = { MD5OfMessageBody: result.md5OfBody };
    if (result.md5OfAttributes) output['MD5OfMessageAttributes'] = result.md5OfAttributes;
    output['MessageId'] = result.messageId;
    if (result.sequenceNumber) output['SequenceNumber'] = result.sequenceNumber;
    return output;
  }

  private async receive(name: string, input: Input): Promise<Output> {
    const maxMessages = optionalInteger(input, 'MaxNumberOfMessages') ?? 1;
    if (maxMessages < 1 || maxMessages > MAX_MESSAGES_PER_RECEIVE) {
      throw new AwsServiceError('InvalidParameterValue', `Value ${maxMessages} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const waitSeconds = optionalInteger(input, 'WaitTimeSeconds') ?? Number(this.store.getQueue(name).attributes['ReceiveMessageWaitTimeSeconds'] ?? 0);
    if (waitSeconds < 0 || waitSeconds > MAX_WAIT_TIME_SECONDS) {
      throw new AwsServiceError('InvalidParameterValue', `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    }
    const options: Parameters<SqsStore['receiveNow']>[1] = { maxMessages };
    const visibility = optionalInteger(input, 'VisibilityTimeout');
    if (visibility !== undefined) options.visibilityTimeoutSeconds = visibility;
    const received = await this.store.receive(name, options, waitSeconds);
    const systemNames = [...stringList(input['AttributeNames']), ...stringList(input['MessageSystemAttributeNames'])];
    const attributeNames = stringList(input['MessageAttributeNames']);
    const messages = received.map(({ message, receiptHandle }) => {
      const out: Record<string, unknown> = {
        MessageId: message.id,
        ReceiptHandle: receiptHandle,
        MD5OfBody: md5(message.body),
        Body: message.body,
      };
      const system = systemAttributes(message, systemNames);
      if (system) out['Attributes'] = system;
      const selected = selectAttributes(message.attributes, attributeNames);
      if (selected) {
        out['MD5OfMessageAttributes'] = md5OfAttributes(selected);
        out['MessageAttributes'] = selected;
      }
      return out;
    });
    return messages.length > 0 ? { Messages: messages } : {};
  }

  /** Runs a batch operation entry by entry, as SQS reports them (Successful / Failed by Id). */
  private batch(input: Input, run: (entry: Input) => Record<string, unknown>): Record<string, unknown> {
    const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Input[]) : [];
    if (entries.length === 0) throw new AwsServiceError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
    if (entries.length > MAX_BATCH_ENTRIES) throw new AwsServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
    const ids = entries.map((e) => String(e['Id'] ?? ''));
    if (new Set(ids).size !== ids.length) throw new AwsServiceError('BatchEntryIdsNotDistinct', 'Id must be distinct among batch entries.');
    for (const id of ids) {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new AwsServiceError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    const successful: Record<string, unknown>[] = [];
    const failed: Record<string, unknown>[] = [];
    entries.forEach((entry, i) => {
      const id = ids[i] as string;
      try {
        successful.push({ Id: id, ...run(entry) });
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        const code = SQS_ERRORS[error.code]?.queryCode ?? error.code;
        failed.push({ Id: id, SenderFault: error.fault === 'Sender', Code: code, Message: error.message });
      }
    });
    return { Successful: successful, Failed: failed };
  }
}

function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string {
  return md5OfMessageAttributes(attributes) ?? '';
}

/** Builds the local SQS provider. */
export function createSqsProvider(options: SqsProviderOptions = {}): SqsProvider {
  return new SqsProvider(options);
}
