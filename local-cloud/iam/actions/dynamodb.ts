/**
 * DynamoDB: operation → IAM action on the table's ARN (an index's ARN for Query and Scan on an index); the
 * batch and transaction operations ask for each item's action on each table they touch.
 */
import { jsonBody, str, targetOperation, type RequestedAction, type ServiceActions } from './types.ts';

/** Operations without a table (resource `*`). */
const ACCOUNT_LEVEL = new Set(['ListTables', 'DescribeLimits', 'DescribeEndpoints']);

/** A TransactWriteItems entry's kind → its action. */
const TRANSACT_WRITE: Record<string, string> = { Put: 'dynamodb:PutItem', Update: 'dynamodb:UpdateItem', Delete: 'dynamodb:DeleteItem', ConditionCheck: 'dynamodb:ConditionCheckItem' };

export const dynamodbActions: ServiceActions = {
  service: 'dynamodb',
  actionsOf(request, { account, region }) {
    const operation = targetOperation(request);
    const body = jsonBody(request);
    const table = (name: string) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
    const requested: RequestedAction[] = [];
    if (ACCOUNT_LEVEL.has(operation)) return { operation, requested: [{ action: `dynamodb:${operation}`, resource: '*' }] };
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
      for (const name of Object.keys((body.RequestItems as Record<string, unknown> | undefined) ?? {})) requested.push({ action: `dynamodb:${operation}`, resource: table(name) });
    } else if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      for (const item of (body.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []) {
        for (const [kind, entry] of Object.entries(item)) {
          const action = operation === 'TransactGetItems' ? 'dynamodb:GetItem' : TRANSACT_WRITE[kind];
          if (action && entry?.TableName) requested.push({ action, resource: table(entry.TableName) });
        }
      }
    } else {
      const name = str(body.TableName) ?? '*';
      const index = str(body.IndexName);
      requested.push({ action: `dynamodb:${operation}`, resource: index ? `${table(name)}/index/${index}` : table(name) });
    }
    return { operation, requested: requested.length > 0 ? requested : [{ action: `dynamodb:${operation}`, resource: table('*') }] };
  },
};
