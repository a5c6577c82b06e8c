/** SQS: operation → IAM action (batches act as their single action), on the queue's ARN. */
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { jsonBody, str, targetOperation, type ServiceActions } from './types.ts';

/** Operations whose IAM action has another name. */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'sqs:SendMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
};

/** Operations without a queue (resource `*`). */
const ACCOUNT_LEVEL = new Set(['ListQueues']);

function parameters(request: AwsRequest): { operation: string; get(name: string): string | undefined } {
  if (request.headers['x-amz-target']) {
    const body = jsonBody(request);
    return { operation: targetOperation(request), get: (name) => str(body[name]) };
  }
  const form = new URLSearchParams(request.query);
  if (request.body.length > 0) for (const [k, v] of new URLSearchParams(request.body.toString('utf8'))) form.append(k, v);
  return { operation: form.get('Action') ?? '', get: (name) => form.get(name) ?? undefined };
}

export const sqsActions: ServiceActions = {
  service: 'sqs',
  actionsOf(request, { account, region }) {
    const { operation, get } = parameters(request);
    const action = SQS_ACTIONS[operation] ?? `sqs:${operation}`;
    if (ACCOUNT_LEVEL.has(operation)) return { operation, requested: [{ action, resource: '*' }] };
    // The queue: its name (CreateQueue, GetQueueUrl), else the last segment of its URL (body or path).
    const url = get('QueueUrl') ?? (request.path.split('/').filter(Boolean).length === 2 ? request.path : undefined);
    const name = get('QueueName') ?? url?.split('/').filter(Boolean).pop() ?? '*';
    return { operation, requested: [{ action, resource: `arn:aws:sqs:${region}:${account}:${name}` }] };
  },
};
