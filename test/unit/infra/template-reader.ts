/**
 * Reading a synthesized template the way a reviewer would: intrinsic functions rendered as readable text
 * (`arn:aws:states:REGION:ACCOUNT:stateMachine:shelcaster-session-lifecycle`, `arn-of:AWS::DynamoDB::Table:
 * shelcaster-sessions`), resources found by their physical name, and a role's policy statements flattened.
 */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
}
export type CfnTemplate = { Resources: Record<string, CfnResource>; Outputs?: Record<string, { Value: unknown }> };

/** Property that holds each resource type's physical name. */
const NAME_PROPERTY: Record<string, string> = {
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

/** How `Ref: AWS::NoValue` renders; grants on it are dropped (CloudFormation drops them too). */
export const NO_VALUE = '<AWS::NoValue>';

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'REGION',
  'AWS::AccountId': 'ACCOUNT',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': NO_VALUE,
};

export class TemplateReader {
  constructor(readonly template: CfnTemplate) {}

  /** A resource by logical id. */
  resource(logicalId: string): CfnResource {
    const found = this.template.Resources[logicalId];
    if (!found) throw new Error(`No resource ${logicalId}`);
    return found;
  }

  /** Logical ids of the resources of a type. */
  idsOfType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** The one resource of a type with a physical name (rendered), as [logicalId, resource]. */
  named(type: string, name: string): [string, CfnResource] {
    const matches = this.idsOfType(type).filter((id) => this.nameOf(id) === name);
    if (matches.length !== 1) throw new Error(`Expected one ${type} named ${name}, found ${matches.length}`);
    const id = matches[0]!;
    return [id, this.resource(id)];
  }

  /** The rendered physical name of a resource (its logical id if it has no name property). */
  nameOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const property = NAME_PROPERTY[resource.Type];
    const value = property ? resource.Properties?.[property] : undefined;
    return value === undefined ? logicalId : this.render(value);
  }

  /** An intrinsic-bearing value as text: Fn::Join joined, Ref and Fn::GetAtt as names, Fn::Sub substituted. */
  render(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if ('Ref' in o) {
        const ref = String(o.Ref);
        return PSEUDO[ref] ?? this.nameOf(ref);
      }
      if ('Fn::GetAtt' in o) {
        const [id, attribute] = o['Fn::GetAtt'] as [string, string];
        const type = this.resource(id).Type;
        return attribute === 'Arn' ? `arn-of:${type}:${this.nameOf(id)}` : `${attribute}-of:${type}:${this.nameOf(id)}`;
      }
      if ('Fn::Join' in o) {
        const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map((p) => this.render(p)).join(separator);
      }
      if ('Fn::Sub' in o) {
        const text = String(o['Fn::Sub']);
        return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) =>
          PSEUDO[name] ?? (name.includes('.') ? this.render({ 'Fn::GetAtt': name.split('.') }) : this.nameOf(name)),
        );
      }
    }
    throw new Error(`Cannot render ${JSON.stringify(value)}`);
  }

  /** Every statement of the IAM policies attached to a role, one entry per (effect, action, resource). */
  grantsOf(roleLogicalId: string): Grant[] {
    const grants: Grant[] = [];
    for (const id of this.idsOfType('AWS::IAM::Policy')) {
      const props = this.resource(id).Properties ?? {};
      const roles = (props.Roles as unknown[] | undefined) ?? [];
      if (!roles.some((r) => (r as { Ref?: string }).Ref === roleLogicalId)) continue;
      const document = props.PolicyDocument as { Statement: Statement[] };
      for (const statement of document.Statement) {
        for (const action of asList(statement.Action)) {
          for (const resource of asList(statement.Resource)) {
            if (this.render(resource) === NO_VALUE) continue;
            grants.push({
              effect: statement.Effect,
              action: String(action),
              resource: this.render(resource),
              ...(statement.Condition ? { condition: this.renderDeep(statement.Condition) } : {}),
            });
          }
        }
      }
    }
    return grants;
  }

  /** The role logical id a resource's role property (Role / RoleArn / TaskRoleArn) points at. */
  roleOf(logicalId: string, property = 'Role'): string {
    const value = this.resource(logicalId).Properties?.[property] as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const id = value?.['Fn::GetAtt']?.[0];
    if (!id) throw new Error(`${logicalId}.${property} is not a GetAtt of a role`);
    return id;
  }

  /** Renders every intrinsic in a JSON value. */
  renderDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.renderDeep(v));
    if (value && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return this.render(value);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderDeep(v)]));
    }
    return value;
  }
}

export interface Grant {
  effect: string;
  action: string;
  resource: string;
  condition?: unknown;
}

interface Statement {
  Effect: string;
  Action: unknown;
  Resource: unknown;
  Condition?: unknown;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
