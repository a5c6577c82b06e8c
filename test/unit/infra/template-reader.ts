/**
 * Reading a synthesized template the way a reviewer would: intrinsic functions rendered as readable text
 * (`arn:aws:states:REGION:ACCOUNT:stateMachine:shelcaster-session-lifecycle`, `arn-of:AWS::DynamoDB::Table:
 * shelcaster-sessions`), resources found by their physical name, and a role's policy statements flattened.
 * The walk through the intrinsics is the local cloud's (local-cloud/iam/cfn-template.ts); this module answers
 * its leaves (Ref, Fn::GetAtt) with the placeholders.
 */
import { CfnTemplateView, resolveIntrinsics, type CfnResource, type IntrinsicLeaves } from '#local-cloud/iam/cfn-template';

/** How `Ref: AWS::NoValue` renders; grants on it are dropped (CloudFormation drops them too). */
export const NO_VALUE = '<AWS::NoValue>';

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'REGION',
  'AWS::AccountId': 'ACCOUNT',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': NO_VALUE,
};

export class TemplateReader extends CfnTemplateView {
  /** Ref as the pseudo parameter's placeholder or the resource's name; Fn::GetAtt as `<attribute>-of:<type>:<name>`. */
  private readonly leaves: IntrinsicLeaves = {
    ref: (name) => PSEUDO[name] ?? this.nameOf(name),
    getAtt: (id, attribute) => `${attribute === 'Arn' ? 'arn' : attribute}-of:${this.resource(id).Type}:${this.nameOf(id)}`,
  };

  /** The one resource of a type with a physical name (rendered), as [logicalId, resource]. */
  named(type: string, name: string): [string, CfnResource] {
    const matches = this.idsOfType(type).filter((id) => this.nameOf(id) === name);
    if (matches.length !== 1) throw new Error(`Expected one ${type} named ${name}, found ${matches.length}`);
    const id = matches[0]!;
    return [id, this.resource(id)];
  }

  /** The rendered physical name of a resource (its logical id if it has no name property). */
  nameOf(logicalId: string): string {
    const value = this.nameProperty(logicalId);
    return value === undefined ? logicalId : this.render(value);
  }

  /** An intrinsic-bearing value as text: Fn::Join joined, Ref and Fn::GetAtt as names, Fn::Sub substituted. */
  render(value: unknown): string {
    const rendered = resolveIntrinsics(value, this.leaves);
    if (typeof rendered === 'string') return rendered;
    if (typeof rendered === 'number' || typeof rendered === 'boolean') return String(rendered);
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
    return resolveIntrinsics(value, this.leaves);
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
