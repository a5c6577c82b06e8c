/**
 * IAM enforced from the synthesized template, through the real gateway and the real SDK: the controller's
 * task role (with temporary credentials the local cloud issued for it, as ECS hands them out) may receive
 * from a session queue; on a copy of the template with that one grant removed, the same call fails with
 * SQS's AccessDenied, as it would on AWS. Also: a call no grant covers (DeleteTable) is AccessDeniedException
 * in DynamoDB's shape, and the operator's keys act as administrator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { COMMAND_QUEUE_PREFIX, CONTROLLER_TASK_FAMILY, SESSIONS_TABLE_NAME } from '#contract/index';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import { LocalIam } from '#local-cloud/iam/local-iam';
import { synthesizedTemplate } from '#local-cloud/iam/template-cache';
import type { CfnTemplate } from '#local-cloud/iam/cfn-template';
import { createDynamoDbProvider } from '#local-cloud/services/dynamodb/provider';
import { createSqsProvider } from '#local-cloud/services/sqs/provider';
import { REPOSITORY_ROOT } from '#test/unit/infra/stack-fixture';

const QUEUE = `${COMMAND_QUEUE_PREFIX}-iam-test.fifo`;
let template: CfnTemplate;
const dirs: string[] = [];
const gateways: Gateway[] = [];

/** A gateway over SQS and DynamoDB enforcing `iamTemplate`; answers clients for the operator and the controller's task role. */
async function cloudWith(iamTemplate: CfnTemplate) {
  const dataDir = mkdtempSync(join(tmpdir(), 'iam-grant-'));
  dirs.push(dataDir);
  const iam = new LocalIam({ template: iamTemplate, account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION, enforce: true });
  const gateway = await startGateway({
    port: 0,
    providers: [createSqsProvider({ dataDir }), createDynamoDbProvider({ dataDir })],
    accessKeys: iam.principals,
    authorize: (request, service, requestId) => iam.authorize(request, service, requestId),
  });
  gateways.push(gateway);
  const taskRoleArn = iam.model.taskDefinitionRoles.get(CONTROLLER_TASK_FAMILY)!.taskRoleArn!;
  const taskCredentials = iam.sessions.current(taskRoleArn, 'task-1');
  const config = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({ endpoint: gateway.url, region: LOCAL_REGION, credentials });
  const operator = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    operatorSqs: new SQSClient(config(operator)),
    operatorDynamo: new DynamoDBClient(config(operator)),
    taskSqs: new SQSClient(config(taskCredentials)),
    taskDynamo: new DynamoDBClient(config(taskCredentials)),
  };
}

/** A copy of the template without the `action` in any Allow statement of the controller task role's policies. */
function withoutGrant(source: CfnTemplate, action: string): CfnTemplate {
  const copy = structuredClone(source) as CfnTemplate & { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  let removed = 0;
  for (const [id, resource] of Object.entries(copy.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' || !id.startsWith('ControllerTaskRole')) continue;
    const document = resource.Properties!.PolicyDocument as { Statement: { Effect: string; Action: string | string[] }[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (!actions.includes(action)) continue;
      statement.Action = actions.filter((a) => a !== action);
      removed += 1;
    }
  }
  if (removed !== 1) throw new Error(`expected one statement granting ${action} to the task role, found ${removed}`);
  return copy;
}

beforeAll(async () => {
  template = await synthesizedTemplate(REPOSITORY_ROOT);
}, 300_000);

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('IAM from the synthesized template, enforced by the gateway', () => {
  it('lets the task role receive from a session queue, and refuses it once the grant is removed from a copy of the template', async () => {
    const granted = await cloudWith(template);
    const { QueueUrl } = await granted.operatorSqs.send(new CreateQueueCommand({ QueueName: QUEUE, Attributes: { FifoQueue: 'true' } }));
    const received = await granted.taskSqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(received.$metadata.httpStatusCode).toBe(200);

    const revoked = await cloudWith(withoutGrant(template, 'sqs:ReceiveMessage'));
    const { QueueUrl: url } = await revoked.operatorSqs.send(new CreateQueueCommand({ QueueName: QUEUE, Attributes: { FifoQueue: 'true' } }));
    const denied = await revoked.taskSqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 })).then(
      () => undefined,
      (error: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }) => error,
    );
    expect(denied?.name).toMatch(/^AccessDenied/);
    expect(denied?.$metadata?.httpStatusCode).toBe(403);
    expect(denied?.message).toContain('sqs:ReceiveMessage');
    expect(denied?.message).toContain(QUEUE);
  });

  it('answers DynamoDB AccessDeniedException for a call no grant covers, and lets the operator make it', async () => {
    const cloud = await cloudWith(template);
    await cloud.operatorDynamo.send(
      new CreateTableCommand({
        TableName: SESSIONS_TABLE_NAME,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // A table still CREATING cannot be deleted (ResourceInUseException), by anyone.
    await waitUntilTableExists({ client: cloud.operatorDynamo, minDelay: 1, maxWaitTime: 60 }, { TableName: SESSIONS_TABLE_NAME });
    const denied = await cloud.taskDynamo.send(new DeleteTableCommand({ TableName: SESSIONS_TABLE_NAME })).then(
      () => undefined,
      (error: { name?: string }) => error,
    );
    expect(denied?.name).toBe('AccessDeniedException');
    const deleted = await cloud.operatorDynamo.send(new DeleteTableCommand({ TableName: SESSIONS_TABLE_NAME }));
    expect(deleted.TableDescription?.TableName).toBe(SESSIONS_TABLE_NAME);
  });
});
