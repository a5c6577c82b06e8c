/**
 * The IAM of a synthesized template, as the local cloud enforces it: every AWS::IAM::Role with its inline
 * policies (`Policies`, and each AWS::IAM::Policy that names it), its managed policies (AWS::IAM::
 * ManagedPolicy of the template, and the AWS managed policies of AWS_MANAGED_POLICIES), and the resource
 * policies (AWS::S3::BucketPolicy, AWS::SQS::QueuePolicy) with the ARNs they protect. Also which role each
 * function, task definition and state machine of the template runs as, so the local deployer creates them
 * with the template's role ARNs. Nothing here is a second list of grants: it is all read from the template.
 */
import { createHash } from 'node:crypto';
import { checkOperator } from './conditions.ts';
import { compilePolicy, evaluate, roleArnOf, type AuthorizationRequest, type CompiledPolicy, type EvaluationResult } from './evaluator.ts';
import { statementsOf, type NamedPolicy, type PolicyDocumentJson, type Statement } from './policy-document.ts';
import type { CfnTemplate } from './cfn-template.ts';
import { TemplateResolver, type ResolverOptions } from './template-resolver.ts';

/**
 * AWS managed policies the template attaches, with the document AWS publishes for each. Only these can be
 * evaluated; a role attached to another AWS managed policy fails to load (so nothing is silently allowed).
 */
export const AWS_MANAGED_POLICIES: Record<string, PolicyDocumentJson> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

export interface IamRole {
  logicalId: string;
  roleName: string;
  arn: string;
  /** `AROA` + 17 characters, stable per role name (IAM's RoleId). */
  roleId: string;
  path: string;
  description?: string;
  assumeRolePolicyDocument: PolicyDocumentJson;
  /** Inline policies (the role's `Policies` and every AWS::IAM::Policy naming it). */
  inlinePolicies: NamedPolicy[];
  /** Attached managed policies by ARN (documents in `managedPolicies`). */
  managedPolicyArns: string[];
}

export interface ResourcePolicy {
  /** The ARNs the policy is attached to (a bucket: the bucket and its objects, `arn:aws:s3:::b` and `.../*`). */
  resourceArns: string[];
  policy: NamedPolicy;
}

export class IamModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IamModelError';
  }
}

function stableRoleId(roleName: string): string {
  const digest = createHash('sha256').update(roleName).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = 'AROA';
  for (let i = 0; i < 17; i += 1) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Checks a document only uses what the evaluator implements (operators), failing at load, not at a request. */
function checkDocument(document: PolicyDocumentJson): void {
  for (const statement of statementsOf(document)) for (const condition of statement.conditions) checkOperator(condition.operator);
}

export class IamModel {
  readonly roles = new Map<string, IamRole>();
  readonly managedPolicies = new Map<string, NamedPolicy>();
  readonly resourcePolicies: ResourcePolicy[] = [];
  /** Function name → role ARN. */
  readonly functionRoles = new Map<string, string>();
  /** Task definition family → its task role and execution role ARNs. */
  readonly taskDefinitionRoles = new Map<string, { taskRoleArn?: string; executionRoleArn?: string }>();
  /** State machine name → role ARN. */
  readonly stateMachineRoles = new Map<string, string>();
  private readonly compiled = new Map<string, CompiledPolicy[]>();
  private readonly compiledResource: { resourceArns: string[]; compiled: CompiledPolicy }[] = [];

  constructor(template: CfnTemplate, options: ResolverOptions) {
    const r = new TemplateResolver(template, options);
    for (const [arn, document] of Object.entries(AWS_MANAGED_POLICIES)) {
      this.managedPolicies.set(arn, { name: arn.slice(arn.lastIndexOf('/') + 1), kind: 'managed', document });
    }
    for (const id of r.idsOfType('AWS::IAM::ManagedPolicy')) {
      const props = r.resource(id).Properties ?? {};
      const document = r.resolve(props.PolicyDocument) as PolicyDocumentJson;
      checkDocument(document);
      this.managedPolicies.set(r.arnOf(id), { name: r.nameOf(id), kind: 'managed', document });
    }
    for (const id of r.idsOfType('AWS::IAM::Role')) {
      const props = r.resource(id).Properties ?? {};
      const roleName = r.nameOf(id);
      const role: IamRole = {
        logicalId: id,
        roleName,
        arn: r.arnOf(id),
        roleId: stableRoleId(roleName),
        path: typeof props.Path === 'string' ? props.Path : '/',
        assumeRolePolicyDocument: r.resolve(props.AssumeRolePolicyDocument) as PolicyDocumentJson,
        inlinePolicies: listOf(props.Policies).map((p) => {
          const { PolicyName, PolicyDocument } = r.resolve(p) as { PolicyName: string; PolicyDocument: PolicyDocumentJson };
          checkDocument(PolicyDocument);
          return { name: PolicyName, kind: 'inline' as const, document: PolicyDocument };
        }),
        managedPolicyArns: listOf(props.ManagedPolicyArns).map((arn) => r.resolveString(arn)),
      };
      if (typeof props.Description === 'string') role.description = props.Description;
      for (const arn of role.managedPolicyArns) {
        if (!this.managedPolicies.has(arn)) throw new IamModelError(`Role ${roleName} attaches ${arn}, whose document the local cloud does not know`);
      }
      this.roles.set(roleName, role);
    }
    for (const id of r.idsOfType('AWS::IAM::Policy')) {
      const props = r.resource(id).Properties ?? {};
      const document = r.resolve(props.PolicyDocument) as PolicyDocumentJson;
      checkDocument(document);
      const name = r.resolveString(props.PolicyName);
      for (const roleRef of listOf(props.Roles)) {
        const role = this.roles.get(r.resolveString(roleRef));
        if (role) role.inlinePolicies.push({ name, kind: 'inline', document });
      }
    }
    for (const id of r.idsOfType('AWS::S3::BucketPolicy')) {
      const props = r.resource(id).Properties ?? {};
      const bucket = r.resolveString(props.Bucket);
      const document = r.resolve(props.PolicyDocument) as PolicyDocumentJson;
      checkDocument(document);
      this.resourcePolicies.push({ resourceArns: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], policy: { name: id, kind: 'resource', document } });
    }
    for (const id of r.idsOfType('AWS::SQS::QueuePolicy')) {
      const props = r.resource(id).Properties ?? {};
      const document = r.resolve(props.PolicyDocument) as PolicyDocumentJson;
      checkDocument(document);
      const arns = listOf(props.Queues).map((url) => {
        const name = r.resolveString(url).split('/').pop() ?? '';
        return `arn:aws:sqs:${r.region}:${r.account}:${name}`;
      });
      this.resourcePolicies.push({ resourceArns: arns, policy: { name: id, kind: 'resource', document } });
    }
    for (const id of r.idsOfType('AWS::Lambda::Function')) {
      const props = r.resource(id).Properties ?? {};
      if (props.Role !== undefined) this.functionRoles.set(r.nameOf(id), r.resolveString(props.Role));
    }
    for (const id of r.idsOfType('AWS::ECS::TaskDefinition')) {
      const props = r.resource(id).Properties ?? {};
      const roles: { taskRoleArn?: string; executionRoleArn?: string } = {};
      if (props.TaskRoleArn !== undefined) roles.taskRoleArn = r.resolveString(props.TaskRoleArn);
      if (props.ExecutionRoleArn !== undefined) roles.executionRoleArn = r.resolveString(props.ExecutionRoleArn);
      this.taskDefinitionRoles.set(r.nameOf(id), roles);
    }
    for (const id of r.idsOfType('AWS::StepFunctions::StateMachine')) {
      const props = r.resource(id).Properties ?? {};
      if (props.RoleArn !== undefined) this.stateMachineRoles.set(r.nameOf(id), r.resolveString(props.RoleArn));
    }
    for (const { resourceArns, policy } of this.resourcePolicies) this.compiledResource.push({ resourceArns, compiled: compilePolicy(policy) });
  }

  /** A role by name or ARN (or the role of an assumed-role session ARN). */
  role(nameOrArn: string): IamRole | undefined {
    const arn = roleArnOf(nameOrArn);
    const name = arn.startsWith('arn:') ? arn.slice(arn.lastIndexOf('/') + 1) : arn;
    const role = this.roles.get(name);
    return role && (!arn.startsWith('arn:') || role.arn === arn) ? role : undefined;
  }

  /** Every identity policy of a role (inline and attached). */
  policiesOf(role: IamRole): NamedPolicy[] {
    return [...role.inlinePolicies, ...role.managedPolicyArns.map((arn) => this.managedPolicies.get(arn)!)];
  }

  private compiledFor(role: IamRole): CompiledPolicy[] {
    let compiled = this.compiled.get(role.arn);
    if (!compiled) {
      compiled = this.policiesOf(role).map(compilePolicy);
      this.compiled.set(role.arn, compiled);
    }
    return compiled;
  }

  /** The resource policies attached to a resource ARN (a bucket's covers its objects). */
  resourcePoliciesFor(resourceArn: string): CompiledPolicy[] {
    return this.compiledResource
      .filter(({ resourceArns }) => resourceArns.some((arn) => arn === resourceArn || (arn.endsWith('/*') && resourceArn.startsWith(arn.slice(0, -1)))))
      .map(({ compiled }) => compiled);
  }

  /** A policy's statements, parsed. */
  statementsOf(policy: NamedPolicy): Statement[] {
    return statementsOf(policy.document);
  }

  /** Evaluates a request against the role's identity policies only (what SimulatePrincipalPolicy answers). */
  evaluateIdentity(request: AuthorizationRequest): EvaluationResult {
    const role = this.role(request.principalArn);
    return evaluate(request, role ? this.compiledFor(role) : []);
  }

  /** Evaluates a request of a role (or its session) in this model: identity policies and resource policies. */
  evaluate(request: AuthorizationRequest): EvaluationResult {
    const role = this.role(request.principalArn);
    const identity = role ? this.compiledFor(role) : [];
    return evaluate(request, identity, this.resourcePoliciesFor(request.resource));
  }
}
