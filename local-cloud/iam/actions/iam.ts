/** IAM (query protocol): `iam:<Action>` on the role the request names, else `*`. */
import { type ServiceActions } from './types.ts';

export const iamActions: ServiceActions = {
  service: 'iam',
  actionsOf(request, { account }) {
    const form = new URLSearchParams(request.query);
    if (request.body.length > 0) for (const [k, v] of new URLSearchParams(request.body.toString('utf8'))) form.append(k, v);
    const operation = form.get('Action') ?? '';
    const role = form.get('RoleName') ?? form.get('PolicySourceArn')?.split('/').pop();
    return { operation, requested: [{ action: `iam:${operation}`, resource: role ? `arn:aws:iam::${account}:role/${role}` : '*' }] };
  },
};
