/**
 * The operator questions the local cloud's IAM with Debian's AWS CLI v2 (/usr/bin/aws) and the operator keys:
 * the controller's task definition names the synthesized task and execution roles, IAM lists and gets them,
 * and `simulate-principal-policy` on the task role answers what the template grants it (DeleteTable no,
 * GetItem on the sessions table yes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_TASK_FAMILY, SESSIONS_TABLE_NAME } from '#contract/index';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { awsJson } from '../local-cloud/gateway/aws-cli.ts';

let cloud: RunningLocalCloud;
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:000000000000:table/${SESSIONS_TABLE_NAME}`;

interface Simulation {
  EvaluationResults: { EvalActionName: string; EvalResourceName: string; EvalDecision: string; MatchedStatements: { SourcePolicyType: string }[] }[];
}

beforeAll(async () => {
  cloud = await startLocalCloud();
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('IAM of the local cloud through the AWS CLI', () => {
  let taskRoleArn: string;
  let executionRoleArn: string;

  it("answers the controller's task definition with the synthesized task and execution roles, which IAM knows", async () => {
    const { taskDefinition } = await awsJson<{ taskDefinition: { taskRoleArn: string; executionRoleArn: string } }>('v2', cloud.awsEndpoint, [
      'ecs', 'describe-task-definition', '--task-definition', CONTROLLER_TASK_FAMILY,
    ]);
    taskRoleArn = taskDefinition.taskRoleArn;
    executionRoleArn = taskDefinition.executionRoleArn;
    expect(taskRoleArn).toMatch(/^arn:aws:iam::000000000000:role\/Shelcaster-ControllerTaskRole/);
    expect(executionRoleArn).toMatch(/^arn:aws:iam::000000000000:role\/Shelcaster-ControllerTaskDefinitionExecutionRole/);
    const { Roles } = await awsJson<{ Roles: { Arn: string }[] }>('v2', cloud.awsEndpoint, ['iam', 'list-roles']);
    expect(Roles.map((r) => r.Arn)).toEqual(expect.arrayContaining([taskRoleArn, executionRoleArn]));
    const { Role } = await awsJson<{ Role: { Arn: string; AssumeRolePolicyDocument: { Statement: { Principal: { Service: string } }[] } } }>('v2', cloud.awsEndpoint, [
      'iam', 'get-role', '--role-name', taskRoleArn.split('/').pop()!,
    ]);
    expect(Role.Arn).toBe(taskRoleArn);
    expect(Role.AssumeRolePolicyDocument.Statement[0]?.Principal.Service).toBe('ecs-tasks.amazonaws.com');
  });

  it('simulates the task role: no DeleteTable, GetItem on the sessions table', async () => {
    const denied = await awsJson<Simulation>('v2', cloud.awsEndpoint, [
      'iam', 'simulate-principal-policy', '--policy-source-arn', taskRoleArn, '--action-names', 'dynamodb:DeleteTable',
    ]);
    expect(denied.EvaluationResults).toEqual([expect.objectContaining({ EvalActionName: 'dynamodb:DeleteTable', EvalResourceName: '*', EvalDecision: 'implicitDeny' })]);
    const allowed = await awsJson<Simulation>('v2', cloud.awsEndpoint, [
      'iam', 'simulate-principal-policy', '--policy-source-arn', taskRoleArn, '--action-names', 'dynamodb:GetItem', 'dynamodb:DeleteTable', '--resource-arns', TABLE_ARN,
    ]);
    const decisions = Object.fromEntries(allowed.EvaluationResults.map((r) => [r.EvalActionName, r.EvalDecision]));
    expect(decisions).toEqual({ 'dynamodb:GetItem': 'allowed', 'dynamodb:DeleteTable': 'implicitDeny' });
    expect(allowed.EvaluationResults.find((r) => r.EvalDecision === 'allowed')?.MatchedStatements[0]?.SourcePolicyType).toBe('role');
  });

  it('answers NoSuchEntity for a role the template does not have', async () => {
    const { runAws } = await import('../local-cloud/gateway/aws-cli.ts');
    const result = await runAws('v2', cloud.awsEndpoint, ['iam', 'get-role', '--role-name', 'not-a-role']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('NoSuchEntity');
  });
});
