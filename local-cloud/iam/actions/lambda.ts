/** Lambda (rest-json `/2015-03-31/functions/...`): Invoke, GetFunction(Configuration), ListFunctions. */
import { type ServiceActions } from './types.ts';

const API_PREFIX = '/2015-03-31/functions';

export const lambdaActions: ServiceActions = {
  service: 'lambda',
  actionsOf(request, { account, region }) {
    const segments = request.path.replace(/\/+$/, '').slice(API_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    const [reference, sub] = segments;
    if (!reference) return { operation: 'ListFunctions', requested: [{ action: 'lambda:ListFunctions', resource: '*' }] };
    const name = reference.includes(':function:') ? reference.split(':function:')[1]!.split(':')[0]! : reference.split(':')[0]!;
    const resource = `arn:aws:lambda:${region}:${account}:function:${name}`;
    if (request.method === 'POST' && sub === 'invocations') return { operation: 'Invoke', requested: [{ action: 'lambda:InvokeFunction', resource }] };
    if (sub === 'configuration') return { operation: 'GetFunctionConfiguration', requested: [{ action: 'lambda:GetFunctionConfiguration', resource }] };
    return { operation: 'GetFunction', requested: [{ action: 'lambda:GetFunction', resource }] };
  },
};
