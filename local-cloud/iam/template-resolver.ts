/**
 * Resolving a synthesized CloudFormation template's intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select) to the names and ARNs the resources have in the local cloud, as CloudFormation would resolve
 * them at deploy time in account 000000000000, us-east-1. Resources without a physical name in the template
 * (roles, most of all) get the deterministic name `<stack>-<logicalId>` (CloudFormation adds a random
 * suffix on AWS; the local cloud does not). A resource whose ARN only exists once deployed (IVS
 * configurations get ids) is resolved through `physicalArns`, which the local deployment supplies; one the
 * local cloud does not have at all (EC2) resolves to `unresolved:<logicalId>`, which matches nothing. The
 * walk through the intrinsics is cfn-template.ts's; this module answers its leaves (Ref, Fn::GetAtt).
 */
import { CfnTemplateView, resolveIntrinsics, UnresolvableError, type CfnTemplate } from './cfn-template.ts';

export interface ResolverOptions {
  account: string;
  region: string;
  stackName: string;
  /** ARNs (Ref and Arn) of resources that get ids when created, by logical id. */
  physicalArns?: Record<string, string>;
}

export class TemplateResolver extends CfnTemplateView {
  constructor(
    template: CfnTemplate,
    private readonly options: ResolverOptions,
  ) {
    super(template);
  }

  get account(): string {
    return this.options.account;
  }

  get region(): string {
    return this.options.region;
  }

  /** A resource's physical name: its name property, else `<stack>-<logicalId>` (at most 64 characters). */
  nameOf(logicalId: string): string {
    const value = this.nameProperty(logicalId);
    if (value !== undefined) return this.resolveString(value);
    return `${this.options.stackName}-${logicalId}`.slice(0, 64);
  }

  /** What a resource's Ref and ARN are made of: its type and physical name, and the account and region. */
  private located(logicalId: string): { type: string; name: string; account: string; region: string } {
    const { account, region } = this.options;
    return { type: this.resource(logicalId).Type, name: this.nameOf(logicalId), account, region };
  }

  /** What `Ref` answers for a resource. */
  refOf(logicalId: string): string {
    const physical = this.options.physicalArns?.[logicalId];
    if (physical) return physical;
    const { type, name, account, region } = this.located(logicalId);
    switch (type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::ECS::TaskDefinition':
      case 'AWS::IAM::ManagedPolicy':
        return this.arnOf(logicalId);
      default:
        return name;
    }
  }

  /** What `Fn::GetAtt [id, Arn]` answers for a resource. */
  arnOf(logicalId: string): string {
    const physical = this.options.physicalArns?.[logicalId];
    if (physical) return physical;
    const { type, name, account, region } = this.located(logicalId);
    switch (type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${account}:policy/${name}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      case 'AWS::ECS::Cluster':
        return `arn:aws:ecs:${region}:${account}:cluster/${name}`;
      case 'AWS::ECS::TaskDefinition':
        return `arn:aws:ecs:${region}:${account}:task-definition/${name}:1`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${region}:${account}:rule/${name}`;
      default:
        // A resource the local cloud does not have (EC2) or that gets its id when created (IVS configurations,
        // unless `physicalArns` names it): an ARN that matches no local resource.
        return `unresolved:${logicalId}`;
    }
  }

  private pseudo(name: string): string | undefined {
    switch (name) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return this.options.region;
      case 'AWS::AccountId':
        return this.options.account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.options.stackName;
      default:
        return undefined;
    }
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'Name' || attribute === 'QueueName') return this.nameOf(logicalId);
    if (attribute === 'QueueUrl') return this.refOf(logicalId);
    // An attribute of a resource the local cloud does not have (a VPC's default security group): a name that
    // matches no local resource, so a grant on it allows nothing here, as on AWS it allows nothing we call.
    return `unresolved:${logicalId}.${attribute}`;
  }

  /** Resolves every intrinsic in a value (objects and lists recursively). */
  resolve(value: unknown): unknown {
    return resolveIntrinsics(value, {
      ref: (name) => this.pseudo(name) ?? this.refOf(name),
      getAtt: (logicalId, attribute) => this.getAtt(logicalId, attribute),
    });
  }

  /** Resolves a value that must come out as a string. */
  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new UnresolvableError(`Expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }
}
