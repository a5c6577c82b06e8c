/**
 * The IAM read from the synthesized template (the same cached synthesis the local cloud enforces).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_DLQ_NAME, COMMAND_QUEUE_PREFIX, CONTROLLER_TASK_FAMILY, FUNCTION_NAMES, SESSIONS_TABLE_NAME, STATE_MACHINE_NAME } from '#contract/index';
import { IamModel } from '#local-cloud/iam/iam-model';
import { LOCAL_STACK_NAME } from '#local-cloud/iam/local-iam';
import { synthesizedTemplate } from '#local-cloud/iam/template-cache';
import type { CfnTemplate } from '#local-cloud/iam/cfn-template';
import { REPOSITORY_ROOT } from '#test/unit/infra/stack-fixture';

const A = '000000000000';
const R = 'us-east-1';
let template: CfnTemplate;
let model: IamModel;

beforeAll(async () => {
  template = await synthesizedTemplate(REPOSITORY_ROOT);
  model = new IamModel(template, { account: A, region: R, stackName: LOCAL_STACK_NAME });
}, 300_000);

const roleOfFunction = (name: string) => model.functionRoles.get(name)!;
const taskRole = () => model.taskDefinitionRoles.get(CONTROLLER_TASK_FAMILY)!.taskRoleArn!;
const decide = (principalArn: string, action: string, resource: string, context: Record<string, string> = { 'aws:SecureTransport': 'true' }) =>
  model.evaluate({ action, resource, principalArn, context }).decision;

describe('Class: IamModel (the synthesized template)', () => {
  it('names a role for every function, the controller task (task and execution role) and the state machine', () => {
    for (const name of Object.values(FUNCTION_NAMES)) expect(model.role(roleOfFunction(name))?.arn).toBe(roleOfFunction(name));
    const task = model.taskDefinitionRoles.get(CONTROLLER_TASK_FAMILY)!;
    expect(task.taskRoleArn).toMatch(new RegExp(`^arn:aws:iam::${A}:role/${LOCAL_STACK_NAME}-ControllerTaskRole`));
    expect(task.executionRoleArn).toMatch(/:role\/Shelcaster-ControllerTaskDefinitionExecutionRole/);
    expect(model.stateMachineRoles.get(STATE_MACHINE_NAME)).toMatch(/:role\/Shelcaster-LifecycleStateMachineRole/);
  });

  it("denies the controller's task role what it has no grant for, and allows what it has", () => {
    const table = `arn:aws:dynamodb:${R}:${A}:table/${SESSIONS_TABLE_NAME}`;
    expect(decide(taskRole(), 'dynamodb:DeleteTable', table)).toBe('implicitDeny');
    expect(decide(taskRole(), 'dynamodb:GetItem', table)).toBe('allowed');
    expect(decide(taskRole(), 'sqs:ReceiveMessage', `arn:aws:sqs:${R}:${A}:${COMMAND_QUEUE_PREFIX}-s1.fifo`)).toBe('allowed');
    expect(decide(taskRole(), 'sqs:SendMessage', `arn:aws:sqs:${R}:${A}:${COMMAND_QUEUE_PREFIX}-s1.fifo`)).toBe('implicitDeny');
  });

  it('applies the bucket policy and the queue policy, Deny statements included', () => {
    const object = `arn:aws:s3:::shelcaster-media-${A}-${R}/media/host/track.mp3`;
    expect(decide(taskRole(), 's3:GetObject', object)).toBe('allowed');
    expect(decide(taskRole(), 's3:GetObject', object, { 'aws:SecureTransport': 'false' })).toBe('explicitDeny');
    const dlq = `arn:aws:sqs:${R}:${A}:${COMMAND_DLQ_NAME}`;
    expect(model.resourcePoliciesFor(dlq)).toHaveLength(1);
    expect(decide(taskRole(), 'sqs:ReceiveMessage', dlq)).toBe('explicitDeny');
  });

  it('keeps the explicit Deny of the DLQ in the enqueue function role', () => {
    const dlq = `arn:aws:sqs:${R}:${A}:${COMMAND_DLQ_NAME}`;
    expect(decide(roleOfFunction(FUNCTION_NAMES.enqueueCommand), 'sqs:DeleteQueue', dlq)).toBe('explicitDeny');
  });

  it("resolves the IVS configurations' ARNs only once the deployment names them", () => {
    const storage = `arn:aws:ivs:${R}:${A}:storage-configuration/abc`;
    const goLive = roleOfFunction(FUNCTION_NAMES.goLive);
    expect(decide(goLive, 'ivs:StartComposition', storage)).toBe('implicitDeny');
    const [storageId] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::IVS::StorageConfiguration')!;
    const deployed = new IamModel(template, { account: A, region: R, stackName: LOCAL_STACK_NAME, physicalArns: { [storageId]: storage } });
    expect(deployed.evaluate({ action: 'ivs:StartComposition', resource: storage, principalArn: goLive }).decision).toBe('allowed');
  });
});
