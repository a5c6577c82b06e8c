/**
 * A synthesized CloudFormation template as the local cloud and the infra tests read it: its shape, the
 * property that names each resource type, and the one walker of its intrinsic functions (Ref, Fn::GetAtt,
 * Fn::Join, Fn::Select, Fn::Sub). The walker takes a value apart and puts it back together; what a `Ref` and
 * a `Fn::GetAtt` become (the leaves) is the caller's: the local cloud's TemplateResolver answers with the
 * names and ARNs the resources have locally, the infra tests' TemplateReader with readable placeholders.
 */

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** The property holding the physical name of each resource type whose name the template may set. */
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
  'AWS::IVS::StorageConfiguration': 'Name',
  'AWS::IVS::EncoderConfiguration': 'Name',
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::Events::Rule': 'Name',
};

/** Thrown when a value uses an intrinsic or a reference that cannot be resolved. */
export class UnresolvableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableError';
  }
}

/** A template's resources, looked up by logical id and by type. */
export class CfnTemplateView {
  constructor(readonly template: CfnTemplate) {}

  /** A resource by logical id. */
  resource(logicalId: string): CfnResource {
    const found = this.template.Resources[logicalId];
    if (!found) throw new UnresolvableError(`The template has no resource ${logicalId}`);
    return found;
  }

  /** Logical ids of the resources of a type. */
  idsOfType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** The template's value (intrinsics unresolved) of a resource's name property, if it sets one. */
  protected nameProperty(logicalId: string): unknown {
    const resource = this.resource(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    return property ? resource.Properties?.[property] : undefined;
  }
}

/** What the leaves of the intrinsics become. */
export interface IntrinsicLeaves {
  /** `Ref` (and a `${name}` of Fn::Sub) to a pseudo parameter (`AWS::Region`) or a resource's logical id. */
  ref(name: string): string;
  /** `Fn::GetAtt` (and a `${id.attribute}` of Fn::Sub). */
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * Resolves every intrinsic in a value, objects and lists recursively (an object is an intrinsic when its one
 * key is `Ref` or `Fn::…`); everything else comes back as it is. An intrinsic other than those above throws.
 */
export function resolveIntrinsics(value: unknown, leaves: IntrinsicLeaves): unknown {
  const resolve = (v: unknown): unknown => resolveIntrinsics(v, leaves);
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = o[key];
    switch (key) {
      case 'Ref':
        return leaves.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return leaves.getAtt(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = arg as [number | string, unknown];
        return (resolve(items) as unknown[])[Number(index)];
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
        // `${!Literal}` is left as it is.
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_whole, name: string) => {
          if (name in variables) return String(resolve(variables[name]));
          const [id, attribute] = name.split('.');
          return attribute ? leaves.getAtt(id!, attribute) : leaves.ref(name);
        });
      }
      default:
        if (key.startsWith('Fn::')) throw new UnresolvableError(`${key} is not one of the intrinsics resolved (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Sub)`);
    }
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}
