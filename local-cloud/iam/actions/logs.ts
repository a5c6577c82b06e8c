/** CloudWatch Logs (JSON 1.1): `logs:<Operation>` on the log group's ARN the request names, else `*`. */
import { jsonBody, str, targetOperation, type ServiceActions } from './types.ts';

export const logsActions: ServiceActions = {
  service: 'logs',
  actionsOf(request, { account, region }) {
    const operation = targetOperation(request);
    const group = str(jsonBody(request).logGroupName);
    const resource = group ? `arn:aws:logs:${region}:${account}:log-group:${group}:*` : '*';
    return { operation, requested: [{ action: `logs:${operation}`, resource }] };
  },
};
