/**
 * IAM (`iam`, the query protocol: form-encoded `Action=...`, XML answers) over the roles of the synthesized
 * template (local-cloud/iam/iam-model.ts): read-only, so an operator can inspect and question the grants
 * the local cloud enforces with the AWS CLI.
 *
 * Operations: ListRoles (PathPrefix, Marker, MaxItems), GetRole, SimulatePrincipalPolicy (PolicySourceArn a
 * role of the template; ActionNames, ResourceArns, ContextEntries; identity policies only, as AWS simulates
 * a principal without a ResourcePolicy argument).
 *
 * LIMITATIONS: no other operation (roles come from the template, never from CreateRole); no users, groups
 * or policy versions; SimulatePrincipalPolicy gives no statement positions and ignores
 * ResourcePolicy/PermissionsBoundaryPolicyInputList/CallerArn; roles carry no tags and no last-used data.
 */
import { randomUUID } from 'node:crypto';
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import type { IamModel, IamRole } from '#local-cloud/iam/iam-model';
import { globMatches } from '#local-cloud/iam/glob';
import type { ConditionContext } from '#local-cloud/iam/conditions';

export const IAM_XML_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** ListRoles' default and largest page. */
export const LIST_ROLES_MAX_ITEMS = 1000;
const DEFAULT_LIST_ROLES_ITEMS = 100;

class IamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'IamError';
  }
}

type Xml = string;

function element(name: string, content: Xml): Xml {
  return `<${name}>${content}</${name}>`;
}

function text(name: string, value: string | number | boolean): Xml {
  return element(name, xmlEscape(String(value)));
}

function members(items: readonly Xml[]): Xml {
  return items.map((item) => element('member', item)).join('');
}

/** Values of a `Name.member.N` list, in order. */
function memberList(params: URLSearchParams, name: string): string[] {
  const values: [number, string][] = [];
  const pattern = new RegExp(`^${name}\\.member\\.(\\d+)$`);
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (match) values.push([Number(match[1]), value]);
  }
  return values.sort(([a], [b]) => a - b).map(([, v]) => v);
}

/** `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M}` as a condition context. */
function contextEntries(params: URLSearchParams): ConditionContext {
  const context: ConditionContext = {};
  for (const [key, name] of params) {
    const match = /^ContextEntries\.member\.(\d+)\.ContextKeyName$/.exec(key);
    if (!match) continue;
    const values = memberList(params, `ContextEntries\\.member\\.${match[1]}\\.ContextKeyValues`);
    context[name] = values.length === 1 ? values[0] : values;
  }
  return context;
}

function roleXml(role: IamRole): Xml {
  return [
    text('Path', role.path),
    text('RoleName', role.roleName),
    text('RoleId', role.roleId),
    text('Arn', role.arn),
    text('CreateDate', '2026-01-01T00:00:00Z'),
    text('AssumeRolePolicyDocument', encodeURIComponent(JSON.stringify(role.assumeRolePolicyDocument))),
    role.description !== undefined ? text('Description', role.description) : '',
    text('MaxSessionDuration', 3600),
  ].join('');
}

function responseXml(action: string, result: Xml, requestId: string): Xml {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${IAM_XML_NAMESPACE}">` +
    element(`${action}Result`, result) +
    element('ResponseMetadata', text('RequestId', requestId)) +
    `</${action}Response>`
  );
}

function errorXml(error: IamError, requestId: string): Xml {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${IAM_XML_NAMESPACE}">` +
    element('Error', text('Type', error.status >= 500 ? 'Receiver' : 'Sender') + text('Code', error.code) + text('Message', error.message)) +
    text('RequestId', requestId) +
    '</ErrorResponse>'
  );
}

/** SimulatePrincipalPolicy's SourcePolicyType of a matched policy. */
function policySourceType(model: IamModel, name: string, kind: 'inline' | 'managed' | 'resource'): string {
  if (kind === 'inline') return 'role';
  if (kind === 'resource') return 'resource';
  return [...model.managedPolicies.entries()].some(([arn, p]) => p.name === name && arn.startsWith('arn:aws:iam::aws:')) ? 'aws-managed' : 'user-managed';
}

/** The IAM provider over a template's roles; `model()` answers the model in force (it is loaded at start). */
export function createIamProvider(options: { model: () => IamModel }): ServiceProvider {
  const roleNamed = (name: string | null): IamRole => {
    if (!name) throw new IamError('ValidationError', "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null");
    const role = options.model().role(name);
    if (!role) throw new IamError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
    return role;
  };

  const operations: Record<string, (params: URLSearchParams) => Xml> = {
    ListRoles(params) {
      const prefix = params.get('PathPrefix') ?? '/';
      const maxItems = Math.min(Number(params.get('MaxItems') ?? DEFAULT_LIST_ROLES_ITEMS) || DEFAULT_LIST_ROLES_ITEMS, LIST_ROLES_MAX_ITEMS);
      const start = Number(params.get('Marker') ?? 0) || 0;
      const all = [...options.model().roles.values()].filter((r) => r.path.startsWith(prefix)).sort((a, b) => a.roleName.localeCompare(b.roleName));
      const page = all.slice(start, start + maxItems);
      const truncated = start + maxItems < all.length;
      return text('IsTruncated', truncated) + element('Roles', members(page.map(roleXml))) + (truncated ? text('Marker', start + maxItems) : '');
    },
    GetRole(params) {
      return element('Role', roleXml(roleNamed(params.get('RoleName'))));
    },
    SimulatePrincipalPolicy(params) {
      const source = params.get('PolicySourceArn');
      if (!source) throw new IamError('ValidationError', "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null");
      const model = options.model();
      const role = model.role(source);
      if (!role) throw new IamError('NoSuchEntity', `The role with name ${source.slice(source.lastIndexOf('/') + 1)} cannot be found.`, 404);
      const actions = memberList(params, 'ActionNames');
      if (actions.length === 0) throw new IamError('ValidationError', "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
      const resources = memberList(params, 'ResourceArns');
      const context = contextEntries(params);
      const policies = model.policiesOf(role);
      const results = actions.flatMap((action) =>
        (resources.length > 0 ? resources : ['*']).map((resource) => {
          const result = model.evaluateIdentity({ action, resource, principalArn: role.arn, context });
          const matched = result.matched.map(({ policy, kind }) => text('SourcePolicyId', policy) + text('SourcePolicyType', policySourceType(model, policy, kind)));
          const missing = new Set<string>();
          for (const p of policies) {
            for (const s of model.statementsOf(p)) {
              const actionApplies = (s.actions ?? []).some((a) => globMatches(a, action, true));
              if (!actionApplies) continue;
              for (const c of s.conditions) if (!Object.keys(context).some((k) => k.toLowerCase() === c.key.toLowerCase())) missing.add(c.key);
            }
          }
          return (
            text('EvalActionName', action) +
            text('EvalResourceName', resource) +
            text('EvalDecision', result.decision) +
            element('MatchedStatements', members(matched)) +
            element('MissingContextValues', members([...missing].map((k) => xmlEscape(k))))
          );
        }),
      );
      return element('EvaluationResults', members(results)) + text('IsTruncated', false);
    },
  };

  return {
    signingNames: ['iam'],
    targetPrefixes: [],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const requestId = randomUUID();
      const params = new URLSearchParams(request.query);
      if (request.method === 'POST' && request.body.length > 0) for (const [k, v] of new URLSearchParams(request.body.toString('utf8'))) params.append(k, v);
      const action = params.get('Action') ?? '';
      const operation = operations[action];
      try {
        if (!operation) throw new IamError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
        return { status: 200, headers: { 'content-type': 'text/xml' }, body: responseXml(action, operation(params), requestId) };
      } catch (error) {
        if (!(error instanceof IamError)) throw error;
        return { status: error.status, headers: { 'content-type': 'text/xml' }, body: errorXml(error, requestId) };
      }
    },
  };
}
