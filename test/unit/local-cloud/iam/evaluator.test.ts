import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from '#local-cloud/iam/evaluator';
import type { NamedPolicy, PolicyDocumentJson } from '#local-cloud/iam/policy-document';

const ROLE = 'arn:aws:iam::000000000000:role/Shelcaster-Task';
const SESSION = 'arn:aws:sts::000000000000:assumed-role/Shelcaster-Task/task-1';
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/shelcaster-sessions';

const identity = (document: PolicyDocumentJson) => [compilePolicy({ name: 'p', kind: 'inline', document } satisfies NamedPolicy)];
const resourcePolicy = (document: PolicyDocumentJson) => [compilePolicy({ name: 'r', kind: 'resource', document })];

describe('Function: evaluate', () => {
  it('allows an action and resource an Allow statement names, case-insensitively for the action', () => {
    const policies = identity({ Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] });
    expect(evaluate({ action: 'DynamoDB:getitem', resource: TABLE, principalArn: SESSION }, policies).decision).toBe('allowed');
  });

  it('implicitly denies what no statement allows', () => {
    const policies = identity({ Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] });
    expect(evaluate({ action: 'dynamodb:DeleteTable', resource: TABLE, principalArn: SESSION }, policies).decision).toBe('implicitDeny');
    expect(evaluate({ action: 'dynamodb:GetItem', resource: `${TABLE}-other`, principalArn: SESSION }, policies).decision).toBe('implicitDeny');
  });

  it('matches wildcards across ARN separators, as IAM does', () => {
    const policies = identity({ Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:000000000000:shelcaster-program-commands-*' }] });
    expect(evaluate({ action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:shelcaster-program-commands-s1.fifo', principalArn: SESSION }, policies).decision).toBe('allowed');
    expect(evaluate({ action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:other', principalArn: SESSION }, policies).decision).toBe('implicitDeny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const policies = identity({
      Statement: [
        { Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
        { Effect: 'Deny', Action: ['sqs:DeleteQueue'], Resource: 'arn:aws:sqs:us-east-1:000000000000:dlq.fifo' },
      ],
    });
    const result = evaluate({ action: 'sqs:DeleteQueue', resource: 'arn:aws:sqs:us-east-1:000000000000:dlq.fifo', principalArn: SESSION }, policies);
    expect(result.decision).toBe('explicitDeny');
    expect(result.matched[0]?.statement.effect).toBe('Deny');
  });

  it('applies a resource policy Deny to any principal whose request meets its condition', () => {
    const bucketPolicy = resourcePolicy({
      Statement: [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: 'arn:aws:s3:::b/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    });
    const allow = identity({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] });
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', principalArn: SESSION };
    expect(evaluate({ ...request, context: { 'aws:SecureTransport': 'false' } }, allow, bucketPolicy).decision).toBe('explicitDeny');
    expect(evaluate({ ...request, context: { 'aws:SecureTransport': 'true' } }, allow, bucketPolicy).decision).toBe('allowed');
  });

  it('lets a resource policy allow the principal it names (its role, for a session of the role)', () => {
    const queuePolicy = resourcePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sqs:SendMessage' }] });
    expect(evaluate({ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q', principalArn: SESSION }, [], queuePolicy).decision).toBe('allowed');
    expect(evaluate({ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q', principalArn: 'anonymous' }, [], queuePolicy).decision).toBe('implicitDeny');
  });

  it('evaluates ArnEquals and StringEquals conditions on the request context keys', () => {
    const policies = identity({
      Statement: [
        { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': 'arn:aws:ecs:us-east-1:000000000000:cluster/shelcaster-cluster' } } },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      ],
    });
    const run = (cluster: string) => evaluate({ action: 'ecs:RunTask', resource: 'arn:aws:ecs:us-east-1:000000000000:task-definition/f:1', principalArn: SESSION, context: { 'ecs:cluster': `arn:aws:ecs:us-east-1:000000000000:cluster/${cluster}` } }, policies).decision;
    expect(run('shelcaster-cluster')).toBe('allowed');
    expect(run('default')).toBe('implicitDeny');
    expect(evaluate({ action: 'iam:PassRole', resource: ROLE, principalArn: SESSION }, policies).decision).toBe('implicitDeny');
    expect(evaluate({ action: 'iam:PassRole', resource: ROLE, principalArn: SESSION, context: { 'IAM:PassedToService': 'ecs-tasks.amazonaws.com' } }, policies).decision).toBe('allowed');
  });

  it('treats NotAction and NotResource as the complement', () => {
    const policies = identity({ Statement: [{ Effect: 'Allow', NotAction: 'dynamodb:Delete*', NotResource: 'arn:aws:dynamodb:*:*:table/secret' }] });
    expect(evaluate({ action: 'dynamodb:GetItem', resource: TABLE, principalArn: SESSION }, policies).decision).toBe('allowed');
    expect(evaluate({ action: 'dynamodb:DeleteItem', resource: TABLE, principalArn: SESSION }, policies).decision).toBe('implicitDeny');
    expect(evaluate({ action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/secret', principalArn: SESSION }, policies).decision).toBe('implicitDeny');
  });
});
