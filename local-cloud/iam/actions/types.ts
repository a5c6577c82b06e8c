/**
 * What one request asks of IAM: one or more (action, resource, condition keys) triples, each of which must be
 * allowed (a BatchWriteItem over two tables is two; an ECS RunTask is the task definition and the roles it
 * passes). One module per service maps each of its operations (tables in these files) to its IAM action,
 * as AWS's Service Authorization Reference lists it, and to the resource ARN the request names.
 */
import type { AwsRequest } from '#local-cloud/gateway/provider';
import type { ConditionContext } from '../conditions.ts';

export interface RequestedAction {
  action: string;
  resource: string;
  context?: ConditionContext;
}

/** What the mapping may need to know of the local cloud's state (ids a request names only indirectly). */
export interface ResolveContext {
  account: string;
  region: string;
  /** The state machine ARN of a task token's execution (SendTask* act on the state machine). */
  stateMachineOfToken?(token: string): string | undefined;
  /** The ARN of a task definition reference (`family`, `family:rev` or an ARN) and the roles it names. */
  taskDefinition?(reference: string): { arn: string; taskRoleArn?: string; executionRoleArn?: string } | undefined;
}

/** A service's mapping: the request's operation and what it asks. */
export interface ServiceActions {
  /** Signing name (`sqs`, `dynamodb`, ...). */
  service: string;
  actionsOf(request: AwsRequest, context: ResolveContext): { operation: string; requested: RequestedAction[] };
}

/** The JSON body of a JSON-protocol request (`{}` when empty or not JSON: the provider answers that). */
export function jsonBody(request: AwsRequest): Record<string, unknown> {
  try {
    const parsed = JSON.parse(request.body.length > 0 ? request.body.toString('utf8') : '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The operation of an X-Amz-Target request (`DynamoDB_20120810.GetItem` → `GetItem`). */
export function targetOperation(request: AwsRequest): string {
  const target = request.headers['x-amz-target'] ?? '';
  return target.slice(target.lastIndexOf('.') + 1);
}

export const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
