/** EventBridge (JSON 1.1): PutEvents on the bus with the `events:source` of each entry; rules on their ARN. */
import { jsonBody, str, targetOperation, type ServiceActions } from './types.ts';

export const eventsActions: ServiceActions = {
  service: 'events',
  actionsOf(request, { account, region }) {
    const operation = targetOperation(request);
    const body = jsonBody(request);
    const action = `events:${operation}`;
    const bus = (name: string | undefined) => {
      const busName = (name ?? 'default').split('/').pop();
      return `arn:aws:events:${region}:${account}:event-bus/${busName}`;
    };
    if (operation === 'PutEvents') {
      const entries = (body.Entries as { Source?: string; EventBusName?: string }[] | undefined) ?? [];
      return {
        operation,
        requested: entries.map((entry) => ({ action, resource: bus(entry.EventBusName), context: entry.Source ? { 'events:source': entry.Source } : {} })),
      };
    }
    const rule = str(body.Rule) ?? str(body.Name);
    const resource = rule && operation !== 'ListRules' ? `arn:aws:events:${region}:${account}:rule/${rule}` : '*';
    return { operation, requested: [{ action, resource }] };
  },
};
