/**
 * IAM policy documents as the local cloud reads them (identity policies of roles, resource policies of
 * buckets and queues): the JSON grammar of AWS's policy language, and its normalised form in which every
 * Action, Resource and condition value is a list.
 */

/** A policy statement as written (strings or lists). */
export interface PolicyStatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: '*' | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | boolean | number | (string | boolean | number)[]>>;
}

export interface PolicyDocumentJson {
  Version?: string;
  Statement: PolicyStatementJson | PolicyStatementJson[];
}

/** A statement with every list made a list; `actions` xor `notActions`, `resources` xor `notResources`. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  /** Undefined in a resource policy statement without Resource: it applies to the resource it is attached to. */
  resources?: string[];
  notResources?: string[];
  /** Undefined in identity policies; `*` for anyone. */
  principals?: { type: string; values: string[] }[] | '*';
  /** Operator (with its IfExists / ForAllValues: / ForAnyValue: parts) → key → values. */
  conditions: { operator: string; key: string; values: string[] }[];
}

/** A policy with its name and where it came from, as IAM lists it. */
export interface NamedPolicy {
  name: string;
  /** `inline` (a role's own policy) or `managed` (attached by ARN), or `resource` (a bucket or queue policy). */
  kind: 'inline' | 'managed' | 'resource';
  document: PolicyDocumentJson;
}

/** Thrown when a document uses a part of the policy language the evaluator does not implement. */
export class UnsupportedPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPolicyError';
  }
}

const list = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** Normalises a document's statements. */
export function statementsOf(document: PolicyDocumentJson): Statement[] {
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.map((s) => {
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new UnsupportedPolicyError(`Statement Effect must be Allow or Deny, not ${String(s.Effect)}`);
    const statement: Statement = { effect: s.Effect, conditions: [] };
    if (s.Sid !== undefined) statement.sid = s.Sid;
    const actions = list(s.Action);
    const notActions = list(s.NotAction);
    if (actions) statement.actions = actions;
    if (notActions) statement.notActions = notActions;
    const resources = list(s.Resource);
    const notResources = list(s.NotResource);
    if (resources) statement.resources = resources;
    if (notResources) statement.notResources = notResources;
    if (s.Principal !== undefined) {
      statement.principals =
        s.Principal === '*'
          ? '*'
          : Object.entries(s.Principal).map(([type, values]) => ({ type, values: list(values) ?? [] }));
    }
    for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
      for (const [key, values] of Object.entries(keys)) {
        statement.conditions.push({ operator, key, values: (Array.isArray(values) ? values : [values]).map(String) });
      }
    }
    return statement;
  });
}
