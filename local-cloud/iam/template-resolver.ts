/**
 * Resolving a synthesized CloudFormation template's intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::Select) to the names and ARNs the resources have in the local cloud, as CloudFormation would resolve
 * them at deploy time in account 000000000000, us-east-1. Resources without a physical name in the template
 * (roles, most of all) get the deterministic name `<stack>-<logicalId>` (CloudFormation adds a random
 * suffix on AWS; the local cloud does not). A resource whose ARN only exists once deployed (IVS
 * configurations get ids) is resolved through `physicalArns`, which the local deployment supplies; one the
 * local cloud does not have at all (EC2) resolves to `unresolved:<logicalId>`, which matches nothing.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface ResolverOptions {
  account: string;
  region: string;
  stackName: string;
  /** ARNs (Ref and Arn) of resources that get ids when created, by logical id. */
  physicalArns?: Record<string, string>;
}

/** Thrown when a value uses an intrinsic or reference the resolver cannot resolve. */
export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

/** The name property of each resource type whose name the template may set. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::ECS::TaskDefinition': 'Family',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
};

export class TemplateResolver {
  constructor(
    readonly template: CfnTemplate,
    private readonly options: ResolverOptions,
  ) {}

  get account(): string {
    return this.options.account;
  }

  get region(): string {
    return this.options.region;
  }

  /** Logical ids of the resources of a type. */
  idsOfType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new UnresolvableError(`The template has no resource ${logicalId}`);
    return resource;
  }

  /** A resource's physical name: its name property, else `<stack>-<logicalId>` (at most 64 characters). */
  nameOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const value = property ? resource.Properties?.[property] : undefined;
    if (value !== undefined) return this.resolveString(value);
    return `${this.options.stackName}-${logicalId}`.slice(0, 64);
  }

  /** What `Ref` answers for a resource. */
  refOf(logicalId: string): string {
    const physical = this.options.physicalArns?.[logicalId];
    if (physical) return physical;
    const type = this.resource(logicalId).Type;
    const name = this.nameOf(logicalId);
    const { account, region } = this.options;
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
    const type = this.resource(logicalId).Type;
    const name = this.nameOf(logicalId);
    const { account, region } = this.options;
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
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = o[key];
      switch (key) {
        case 'Ref': {
          const name = String(arg);
          return this.pseudo(name) ?? this.refOf(name);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(String(id), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, items] = arg as [number | string, unknown];
          return (this.resolve(items) as unknown[])[Number(index)];
        }
        case 'Fn::Sub':
          return this.sub(arg);
        default:
          if (key.startsWith('Fn::')) throw new UnresolvableError(`${key} is not resolved locally`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }

  /** Resolves a value that must come out as a string. */
  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new UnresolvableError(`Expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private sub(arg: unknown): string {
    const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      const pseudo = this.pseudo(name);
      if (pseudo !== undefined) return pseudo;
      const [id, attribute] = name.split('.');
      return attribute ? this.getAtt(id!, attribute) : this.refOf(id!);
    });
  }
}
