/**
 * IAM enforcement for the gateway: who is calling (the request's access key → its principal), what the
 * request asks (actions/<service>.ts: action, resource, condition keys), and what the template's policies
 * say (iam-model.ts). The operator's keys and the local cloud's own service key are administrators; a key
 * the local cloud did not issue, or no key, is anonymous (only resource policies could allow it; none do).
 *
 * Condition keys the local cloud sets on every request: `aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:RequestedRegion`, and `aws:SecureTransport` = true — the endpoint listens on loopback only, which
 * stands for TLS here (the bucket and queue policies deny every request without TLS; over loopback nothing
 * crosses a network).
 */
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { roleArnOf } from './evaluator.ts';
import type { IamModel } from './iam-model.ts';
import type { PrincipalRegistry } from './principals.ts';
import type { RequestedAction, ResolveContext, ServiceActions } from './actions/types.ts';
import { dynamodbActions } from './actions/dynamodb.ts';
import { ecsActions } from './actions/ecs.ts';
import { eventsActions } from './actions/events.ts';
import { iamActions } from './actions/iam.ts';
import { ivsActions } from './actions/ivs.ts';
import { lambdaActions } from './actions/lambda.ts';
import { logsActions } from './actions/logs.ts';
import { s3Actions } from './actions/s3.ts';
import { sqsActions } from './actions/sqs.ts';
import { stepFunctionsActions } from './actions/stepfunctions.ts';

/** Every service's mapping, by signing name. */
export const SERVICE_ACTIONS: Record<string, ServiceActions> = Object.fromEntries(
  [dynamodbActions, ecsActions, eventsActions, iamActions, ivsActions, lambdaActions, logsActions, s3Actions, sqsActions, stepFunctionsActions].map((s) => [s.service, s]),
);

/** The operation a request of `service` asks for, as its service's mapping names it; undefined when none maps it. */
export function operationOfRequest(request: AwsRequest, service: string, resolve: ResolveContext): string | undefined {
  try {
    return SERVICE_ACTIONS[service]?.actionsOf(request, resolve).operation;
  } catch {
    return undefined; // a request the mapping cannot read: the provider answers it
  }
}

export type AuthorizationOutcome =
  | { allowed: true }
  | { allowed: false; principalArn: string; denied: RequestedAction; explicit: boolean };

export interface AuthorizerOptions {
  model: () => IamModel;
  principals: PrincipalRegistry;
  resolve: ResolveContext;
}

/** The anonymous principal's ARN in messages and evaluation. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

export class RequestAuthorizer {
  constructor(private readonly options: AuthorizerOptions) {}

  /** Whether the request's caller may do what it asks of `service` (a signing name). */
  authorize(request: AwsRequest, service: string): AuthorizationOutcome {
    // The gateway verified the signature first: `caller` is who signed, not who the scope claims to be.
    const principal = this.options.principals.principalOf(request.caller?.accessKeyId);
    if (principal && principal.kind !== 'role') return { allowed: true };
    const mapping = SERVICE_ACTIONS[service];
    if (!mapping) return { allowed: true };
    const { requested } = mapping.actionsOf(request, this.options.resolve);
    const principalArn = principal?.arn ?? ANONYMOUS_PRINCIPAL;
    const model = this.options.model();
    for (const asked of requested) {
      const context = {
        'aws:SecureTransport': 'true',
        'aws:PrincipalAccount': this.options.resolve.account,
        'aws:RequestedRegion': request.region,
        ...(principal ? { 'aws:PrincipalArn': roleArnOf(principal.arn) } : {}),
        ...asked.context,
      };
      const result = model.evaluate({ action: asked.action, resource: asked.resource, principalArn, context });
      if (result.decision !== 'allowed') return { allowed: false, principalArn, denied: asked, explicit: result.decision === 'explicitDeny' };
    }
    return { allowed: true };
  }
}
