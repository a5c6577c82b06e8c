/**
 * IAM's policy evaluation for one account, as AWS documents it for requests within an account: an explicit
 * Deny in any applicable policy (identity or resource) wins; otherwise an Allow in an identity policy of
 * the principal, or in the resource's policy naming the principal, allows; otherwise the request is
 * implicitly denied. Permission boundaries, SCPs and session policies do not exist here.
 */
import { conditionHolds, type ConditionContext } from './conditions.ts';
import { globMatches } from './glob.ts';
import { statementsOf, type NamedPolicy, type Statement } from './policy-document.ts';

/** One request as IAM sees it. */
export interface AuthorizationRequest {
  /** `sqs:SendMessage` */
  action: string;
  /** The resource ARN (`*` for actions without resource-level permissions). */
  resource: string;
  /** The caller: a role ARN (`arn:aws:iam::000000000000:role/Name`) or an assumed-role session of one. */
  principalArn: string;
  context?: ConditionContext;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

/** The outcome, with the statements that decided it (for SimulatePrincipalPolicy's MatchedStatements). */
export interface EvaluationResult {
  decision: Decision;
  matched: { policy: string; kind: NamedPolicy['kind']; statement: Statement }[];
}

/** A policy with its statements parsed once. */
export interface CompiledPolicy {
  policy: NamedPolicy;
  statements: Statement[];
}

/** Parses a policy's statements once, for repeated evaluation. */
export function compilePolicy(policy: NamedPolicy): CompiledPolicy {
  return { policy, statements: statementsOf(policy.document) };
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.actions) return statement.actions.some((a) => globMatches(a, action, true));
  if (statement.notActions) return !statement.notActions.some((a) => globMatches(a, action, true));
  return false;
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.resources) return statement.resources.some((r) => globMatches(r, resource));
  if (statement.notResources) return !statement.notResources.some((r) => globMatches(r, resource));
  // A resource policy statement without Resource applies to the resource it is attached to.
  return statement.principals !== undefined;
}

/** Whether a resource policy statement names the caller (`*`, the account, the role, or its sessions). */
function principalMatches(statement: Statement, principalArn: string): boolean {
  if (statement.principals === undefined) return true;
  if (statement.principals === '*') return true;
  const account = principalArn.split(':')[4] ?? '';
  const roleArn = roleArnOf(principalArn);
  return statement.principals.some(
    ({ type, values }) =>
      type === 'AWS' &&
      values.some((v) => v === '*' || v === account || v === `arn:aws:iam::${account}:root` || v === principalArn || v === roleArn),
  );
}

/** The role ARN behind an assumed-role session ARN (`arn:aws:sts::A:assumed-role/Name/session`). */
export function roleArnOf(principalArn: string): string {
  const match = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
  return match ? `arn:aws:iam::${match[1]}:role/${match[2]}` : principalArn;
}

function statementApplies(statement: Statement, request: AuthorizationRequest): boolean {
  if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource)) return false;
  if (!principalMatches(statement, request.principalArn)) return false;
  const context = request.context ?? {};
  return statement.conditions.every(({ operator, key, values }) => conditionHolds(operator, key, values, context));
}

/** Evaluates a request against the principal's identity policies and the resource's policies. */
export function evaluate(
  request: AuthorizationRequest,
  identityPolicies: readonly CompiledPolicy[],
  resourcePolicies: readonly CompiledPolicy[] = [],
): EvaluationResult {
  const denies: EvaluationResult['matched'] = [];
  const allows: EvaluationResult['matched'] = [];
  for (const { policy, statements } of [...identityPolicies, ...resourcePolicies]) {
    for (const statement of statements) {
      if (!statementApplies(statement, request)) continue;
      (statement.effect === 'Deny' ? denies : allows).push({ policy: policy.name, kind: policy.kind, statement });
    }
  }
  if (denies.length > 0) return { decision: 'explicitDeny', matched: denies };
  if (allows.length > 0) return { decision: 'allowed', matched: allows };
  return { decision: 'implicitDeny', matched: [] };
}
