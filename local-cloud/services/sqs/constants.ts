/**
 * SQS names, defaults and limits as AWS documents them, and the error codes of both protocols.
 */

/** The query protocol's XML namespace (API version 2012-11-05). */
export const SQS_XML_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** X-Amz-Target prefix of the JSON protocol. */
export const SQS_TARGET_PREFIX = 'AmazonSQS';

/** FIFO deduplication interval. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/** Longest long poll. */
export const MAX_WAIT_TIME_SECONDS = 20;

/** Most messages one ReceiveMessage returns, and most entries in a batch. */
export const MAX_MESSAGES_PER_RECEIVE = 10;
export const MAX_BATCH_ENTRIES = 10;

/** Longest visibility timeout (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;

/** Queue attributes a caller may set, with AWS's defaults (as strings, as the API carries them). */
export const DEFAULT_QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

/** Attributes only FIFO queues have, with their defaults. */
export const DEFAULT_FIFO_ATTRIBUTES: Readonly<Record<string, string>> = {
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/** Every attribute name CreateQueue/SetQueueAttributes accept. */
export const SETTABLE_ATTRIBUTES = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Attributes GetQueueAttributes computes. */
export const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Message system attributes ReceiveMessage can return. */
export const MESSAGE_SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'MessageDeduplicationId',
  'MessageGroupId',
  'SequenceNumber',
] as const;

/**
 * Each JSON-protocol error name (`__type` is `com.amazonaws.sqs#<name>`) with the code the query protocol
 * uses (also sent in the JSON protocol's `x-amzn-query-error` header) and its HTTP status, as the SQS
 * model of the AWS SDK declares them.
 */
export const SQS_ERRORS: Readonly<Record<string, { queryCode: string; status: number }>> = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  QueueDeletedRecently: { queryCode: 'AWS.SimpleQueueService.QueueDeletedRecently', status: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  PurgeQueueInProgress: { queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  InvalidAddress: { queryCode: 'InvalidAddress', status: 404 },
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { queryCode: 'MissingParameter', status: 400 },
  InvalidAction: { queryCode: 'InvalidAction', status: 400 },
};

/**
 * How long DeleteQueue takes on AWS at most: "the deletion process takes up to 60 seconds. Requests you send
 * involving that queue during the 60 seconds might succeed" (SQS API Reference, DeleteQueue). `npm start`
 * lets a deleted queue answer this long (SHELCASTER_SQS_DELETE_DELAY_MS).
 */
export const SQS_DELETE_QUEUE_DELAY_MS = 60_000;
