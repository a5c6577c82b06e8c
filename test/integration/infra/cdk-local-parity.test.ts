/**
 * One truth, two places: the synthesized CDK template and what the local cloud's deployer creates from the same
 * contract must agree. The deployer has one file per CDK construct (local-cloud/deploy/<name>.ts for
 * infra/constructs/<name>.ts), and the tests are grouped the same way, one pair at a time: the tables' key
 * schemas and indexes, the media bucket, the dead-letter queue, the controller's cluster and task definition,
 * the IVS configurations, each function's size and environment, the state machine definition after
 * substitution, the controller-stopped rule and the HTTP API's routes. The local side is read back through the
 * local cloud's own AWS APIs where it has one.
 *
 * Known, intended differences are listed in KNOWN_DIFFERENCES and excluded by name; anything else that differs
 * fails the test.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTableCommand, DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetEncoderConfigurationCommand, GetStorageConfigurationCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import {
  CLUSTER_NAME,
  COMMAND_DLQ_NAME,
  CONTROLLER_STOPPED_RULE_NAME,
  CONTROLLER_TASK_FAMILY,
  FUNCTIONS,
  FUNCTION_NAMES,
  IVS_ENCODER_CONFIGURATION_NAME,
  IVS_STORAGE_CONFIGURATION_NAME,
  IDEMPOTENCY_TABLE,
  SESSIONS_TABLE,
  STATE_MACHINE_NAME,
  TABLES,
  TRACK_CREATED_RULE_NAME,
  WARM_POOL_REFILL_RULE_NAME,
  WARM_POOL_REFILL_SCHEDULE,
  keyAttributesOf,
  substituteDefinition,
  type SubstitutionKey,
  type TableDefinition,
} from '#contract/index';
import { routeTable } from '#local-cloud/deploy/http-api';
import { startLocalCloud, type LocalCloud } from '#local-cloud/local-cloud';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '#local-cloud/gateway/provider';
import { REPO_ROOT } from '#harness/local-cloud';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '#test/unit/infra/stack-fixture';
import type { CfnResource } from '#local-cloud/iam/cfn-template';

/** What differs on purpose between AWS and the local cloud, and why. */
const KNOWN_DIFFERENCES = {
  /**
   * Network placement: CDK names the VPC's public subnets and the task's security group; locally there is no VPC.
   * The warm pool's size is each deployment's setting (WARM_POOL_SIZE.aws and .local; 0 here, so no Chromium runs).
   */
  environmentValues: ['CONTROLLER_SUBNETS', 'CONTROLLER_SECURITY_GROUPS', 'WARM_POOL_SIZE'],
  /**
   * Values that are ARNs of resources with generated ids (IVS configurations): compared by the name of the
   * resource they point at instead.
   */
  generatedArns: ['IVS_STORAGE_CONFIGURATION_ARN', 'IVS_ENCODER_CONFIGURATION_ARN'],
  /**
   * CONTROLLER_TASK_DEFINITION is the task definition's ARN (with its revision) on AWS and its family locally
   * (RunTask takes either); both name the family shelcaster-program-controller.
   */
  taskDefinitionReference: 'CONTROLLER_TASK_DEFINITION',
  /** The local DynamoDB has no TTL: the idempotency table's TimeToLiveSpecification exists on AWS only. */
  timeToLive: true,
  /**
   * Deployer files with no construct of that name: deploy-system.ts wires them as infra/shelcaster-stack.ts
   * wires the constructs, and log-retention.ts stands for infra/log-retention.ts.
   */
  // function-bundles.ts stands for the bundling CDK's NodejsFunction does (aws-lambda-nodejs, not a construct of ours).
  // roles.ts stands for the roles CDK's grants create (the synthesized template's, read by local-cloud/iam).
  // delivery-settings.ts reads the rule targets' retry policies and EventInvokeConfigs from the same template.
  deployerOnlyFiles: ['deploy-system.ts', 'log-retention.ts', 'function-bundles.ts', 'roles.ts', 'delivery-settings.ts'],
} as const;

/** A table's keys and indexes in one comparable shape (attributes sorted by name). */
interface TableShape {
  tableName: string;
  keySchema: { name: string; keyType: string }[];
  attributes: { name: string; type: string }[];
  indexes: { indexName: string; keySchema: { name: string; keyType: string }[]; projection: string }[];
}

const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));

/** The shape the contract defines. */
function contractShape(table: TableDefinition): TableShape {
  const keys = (partitionKey: { name: string }, sortKey?: { name: string }) => [
    { name: partitionKey.name, keyType: 'HASH' },
    ...(sortKey ? [{ name: sortKey.name, keyType: 'RANGE' }] : []),
  ];
  return {
    tableName: table.tableName,
    keySchema: keys(table.partitionKey, table.sortKey),
    attributes: byName(keyAttributesOf(table)),
    indexes: table.globalSecondaryIndexes.map((index) => ({ indexName: index.indexName, keySchema: keys(index.partitionKey, index.sortKey), projection: 'ALL' })),
  };
}

type KeyElement = { AttributeName?: string; KeyType?: string };
const keySchemaOf = (schema: KeyElement[] | undefined) => (schema ?? []).map((k) => ({ name: k.AttributeName!, keyType: k.KeyType! }));

/** The shape of an AWS::DynamoDB::Table's properties, or of DescribeTable's answer (same field names). */
function describedShape(table: {
  TableName?: unknown;
  KeySchema?: KeyElement[];
  AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
  GlobalSecondaryIndexes?: { IndexName?: string; KeySchema?: KeyElement[]; Projection?: { ProjectionType?: string } }[];
}): TableShape {
  return {
    tableName: String(table.TableName),
    keySchema: keySchemaOf(table.KeySchema),
    attributes: byName((table.AttributeDefinitions ?? []).map((a) => ({ name: a.AttributeName!, type: a.AttributeType! }))),
    indexes: (table.GlobalSecondaryIndexes ?? []).map((index) => ({
      indexName: index.IndexName!,
      keySchema: keySchemaOf(index.KeySchema),
      projection: index.Projection?.ProjectionType ?? '',
    })),
  };
}

/** The local account and region, which stand for CDK's deploy-time pseudo parameters. */
const REGION = LOCAL_REGION;
const ACCOUNT = LOCAL_ACCOUNT_ID;

let synth: SynthesizedStack;
let cloud: LocalCloud;
let dataDir: string;
let clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  synth = synthesizeStack();
  dataDir = await mkdtemp(join(tmpdir(), 'shelcaster-parity-'));
  const lines: string[] = [];
  cloud = await startLocalCloud({
    dataDir,
    awsPort: 0,
    apiPort: 0,
    root: REPO_ROOT,
    warmPoolSize: 0,
    log: (line) => lines.push(line),
  });
  clientConfig = { endpoint: cloud.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}, SYNTH_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

/** A CDK-rendered value with the deploy-time pseudo parameters replaced by the local account and region. */
function cdkValue(value: unknown): string {
  return synth.reader.render(value).replaceAll('REGION', REGION).replaceAll('ACCOUNT', ACCOUNT);
}

/** The one resource of a type with a physical name. */
function cdkNamed(type: string, name: string): CfnResource {
  return synth.reader.named(type, name)[1];
}

/** A function ARN (either side's rendering) reduced to the function's name. */
function functionNameOf(arn: string): string {
  const cdk = /^arn-of:AWS::Lambda::Function:(.+)$/.exec(arn);
  if (cdk) return cdk[1]!;
  const aws = /^arn:aws:lambda:[^:]+:\d{12}:function:([^:]+)$/.exec(arn);
  if (aws) return aws[1]!;
  throw new Error(`Not a function ARN: ${arn}`);
}

describe('The CDK stack and the local cloud deploy the same system', () => {
  it('pairs every construct of infra/constructs/ with a deployer file of the same name', async () => {
    const constructs = (await readdir(join(REPO_ROOT, 'infra/constructs'))).filter((name) => name.endsWith('.ts')).sort();
    const deployer = (await readdir(join(REPO_ROOT, 'local-cloud/deploy'))).filter((name) => name.endsWith('.ts')).sort();

    expect(deployer.filter((name) => !(KNOWN_DIFFERENCES.deployerOnlyFiles as readonly string[]).includes(name))).toEqual(constructs);
    expect(constructs.length).toBeGreaterThan(10);
  });

  it('deploys every table of the contract, one construct and one deployer file each', () => {
    expect(TABLES).toEqual([SESSIONS_TABLE, IDEMPOTENCY_TABLE]);
  });

  describe.each([
    ['sessions-table.ts', SESSIONS_TABLE],
    ['idempotency-table.ts', IDEMPOTENCY_TABLE],
  ] as const)('%s', (_file, table) => {
    it('creates the table with the key schema, attributes and indexes of the contract', async () => {
      const [, cdk] = synth.reader.named('AWS::DynamoDB::Table', table.tableName);
      const props = cdk.Properties ?? {};
      const ddb = new DynamoDBClient(clientConfig);
      const local = (await ddb.send(new DescribeTableCommand({ TableName: table.tableName }))).Table as TableDescription;

      expect(describedShape(props)).toEqual(contractShape(table));
      expect(describedShape(local)).toEqual(contractShape(table));
      expect(props.BillingMode).toBe('PAY_PER_REQUEST');
      // TTL exists on AWS only (KNOWN_DIFFERENCES.timeToLive): CDK sets the contract's attribute.
      expect(props.TimeToLiveSpecification).toEqual(table.timeToLiveAttribute ? { AttributeName: table.timeToLiveAttribute, Enabled: true } : undefined);
    });
  });

  describe('media-bucket.ts', () => {
    it('creates the bucket of the same name', async () => {
      const [id] = synth.reader.idsOfType('AWS::S3::Bucket');
      expect(cdkValue(synth.reader.resource(id!).Properties?.BucketName)).toBe(cloud.deployment.bucketName);
      const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
      expect((await s3.send(new HeadBucketCommand({ Bucket: cloud.deployment.bucketName }))).$metadata.httpStatusCode).toBe(200);
    });
  });

  describe('shelcaster-function.ts', () => {
    it('gives every function the same timeout and memory', async () => {
      const lambda = new LambdaClient(clientConfig);
      for (const spec of FUNCTIONS) {
        const name = FUNCTION_NAMES[spec.role];
        const cdk = cdkNamed('AWS::Lambda::Function', name).Properties ?? {};
        const local = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        expect({ timeout: local.Timeout, memory: local.MemorySize }, name).toEqual({ timeout: cdk.Timeout, memory: cdk.MemorySize });
        expect(cdk.Timeout, name).toBe(spec.timeoutSeconds);
      }
    });
  });

  describe('http-api.ts', () => {
    it('serves the same routes, each to the same function, guarded by the authorizer on the same routes', () => {
      const cdkRoutes = Object.fromEntries(
        synth.reader.idsOfType('AWS::ApiGatewayV2::Route').map((id) => {
          const props = synth.reader.resource(id).Properties ?? {};
          const integrationId = /^integrations\/(.+)$/.exec(synth.reader.render(props.Target))?.[1];
          const integration = synth.reader.resource(integrationId!).Properties ?? {};
          const functionName = functionNameOf(synth.reader.render(integration.IntegrationUri));
          return [props.RouteKey as string, { functionName, authorized: props.AuthorizationType === 'JWT' }];
        }),
      );

      expect(routeTable(cloud.deployment.httpApi)).toEqual(cdkRoutes);
      expect(Object.keys(cdkRoutes).length).toBeGreaterThan(10);
    });
  });

  describe('session-lifecycle.ts', () => {
    it('run the same state machine definition once function ARNs are reduced to function names', async () => {
      const props = cdkNamed('AWS::StepFunctions::StateMachine', STATE_MACHINE_NAME).Properties ?? {};
      const location = props.DefinitionS3Location as { Key: string };
      const cdkAsl = await readFile(join(synth.assemblyDir, `asset.${location.Key}`), 'utf8');
      const cdkSubstitutions = Object.fromEntries(
        Object.entries(props.DefinitionSubstitutions as Record<string, unknown>).map(([key, value]) => [key, functionNameOf(cdkValue(value))]),
      ) as Record<SubstitutionKey, string>;
      const cdkDefinition: unknown = JSON.parse(substituteDefinition(cdkAsl, cdkSubstitutions));

      const sfn = new SFNClient(clientConfig);
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: cloud.deployment.stateMachineArn }));
      expect(described.definition).toBe(cloud.deployment.definition);
      const localDefinition: unknown = JSON.parse(
        described.definition!.replace(/arn:aws:lambda:[^:"]+:\d{12}:function:([A-Za-z0-9_-]+)/g, (_whole, name: string) => name),
      );

      expect(localDefinition).toEqual(cdkDefinition);
      // Not vacuous: the definition names the step functions by name on both sides now.
      expect(JSON.stringify(localDefinition)).toContain(FUNCTION_NAMES.createStage);
      expect(cloud.deployment.stateMachineArn).toBe(cdkValue({ 'Fn::Sub': `arn:aws:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${STATE_MACHINE_NAME}` }));
    });
  });

  describe('functions.ts', () => {
    it('give every function the same environment variable names, and the same values where the value is a fixed name', async () => {
      const lambda = new LambdaClient(clientConfig);
      const ivs = new IVSRealTimeClient(clientConfig);
      for (const spec of FUNCTIONS) {
        const name = FUNCTION_NAMES[spec.role];
        const cdkVariables = (cdkNamed('AWS::Lambda::Function', name).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        const cdkEnv = Object.fromEntries(Object.entries(cdkVariables).map(([key, value]) => [key, cdkValue(value)]));
        const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        const localEnv = configuration.Environment?.Variables ?? {};
        expect(localEnv, `${name}: the deployment and Lambda agree`).toEqual(cloud.deployment.functions.find((f) => f.functionName === name)?.environment);

        expect(Object.keys(localEnv).sort(), `${name}: variable names`).toEqual(Object.keys(cdkEnv).sort());
        for (const [key, cdk] of Object.entries(cdkEnv)) {
          const local = localEnv[key]!;
          if ((KNOWN_DIFFERENCES.environmentValues as readonly string[]).includes(key)) continue;
          if ((KNOWN_DIFFERENCES.generatedArns as readonly string[]).includes(key)) {
            const configurationName = key === 'IVS_STORAGE_CONFIGURATION_ARN'
              ? (await ivs.send(new GetStorageConfigurationCommand({ arn: local }))).storageConfiguration?.name
              : (await ivs.send(new GetEncoderConfigurationCommand({ arn: local }))).encoderConfiguration?.name;
            const expected = key === 'IVS_STORAGE_CONFIGURATION_ARN' ? IVS_STORAGE_CONFIGURATION_NAME : IVS_ENCODER_CONFIGURATION_NAME;
            expect(cdk, `${name}.${key} on CDK`).toBe(`arn-of:${key === 'IVS_STORAGE_CONFIGURATION_ARN' ? 'AWS::IVS::StorageConfiguration' : 'AWS::IVS::EncoderConfiguration'}:${expected}`);
            expect(configurationName, `${name}.${key} locally`).toBe(expected);
            continue;
          }
          if (key === KNOWN_DIFFERENCES.taskDefinitionReference) {
            expect(cdk).toBe(CONTROLLER_TASK_FAMILY);
            expect(local).toBe(CONTROLLER_TASK_FAMILY);
            continue;
          }
          // The DLQ's ARN: CDK's GetAtt of the queue named COMMAND_DLQ_NAME.
          const comparable = cdk.replace(/^arn-of:AWS::SQS::Queue:(.+)$/, `arn:aws:sqs:${REGION}:${ACCOUNT}:$1`);
          expect(local, `${name}.${key}`).toBe(comparable);
        }
      }
    });
  });

  describe('controller-stopped-rule.ts', () => {
    it('match stopped controller tasks of the same cluster and family with the same rule, targeting the same function', async () => {
      const rule = cdkNamed('AWS::Events::Rule', CONTROLLER_STOPPED_RULE_NAME).Properties ?? {};
      const cdkPattern = synth.reader.renderDeep(rule.EventPattern) as { detail: { clusterArn: string[] } };
      expect(cdkPattern.detail.clusterArn).toEqual([`arn-of:AWS::ECS::Cluster:${CLUSTER_NAME}`]);

      const events = new EventBridgeClient(clientConfig);
      const described = await events.send(new DescribeRuleCommand({ Name: CONTROLLER_STOPPED_RULE_NAME }));
      const localPattern = JSON.parse(described.EventPattern!) as { detail: { clusterArn: string[] } };
      expect(localPattern.detail.clusterArn).toEqual([cloud.deployment.clusterArn]);
      expect(cloud.deployment.clusterArn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER_NAME}`);

      const withoutCluster = (pattern: { detail: { clusterArn: string[] } }) => ({ ...pattern, detail: { ...pattern.detail, clusterArn: ['<cluster>'] } });
      expect(withoutCluster(localPattern)).toEqual(withoutCluster(cdkPattern));
      expect(described.State).toBe(rule.State ?? 'ENABLED');

      const cdkTargets = (rule.Targets as { Arn: unknown; RetryPolicy?: unknown }[]).map((t) => functionNameOf(cdkValue(t.Arn)));
      const localTargets = (await events.send(new ListTargetsByRuleCommand({ Rule: CONTROLLER_STOPPED_RULE_NAME }))).Targets ?? [];
      expect(localTargets.map((t) => functionNameOf(t.Arn!))).toEqual(cdkTargets);
      expect(cdkTargets).toEqual([FUNCTION_NAMES.controllerStopped]);
      // The local EventBridge retries as the target's retry policy says: the template's (8 retries within an hour).
      expect(localTargets.map((t) => t.RetryPolicy)).toEqual((rule.Targets as { RetryPolicy?: unknown }[]).map((t) => t.RetryPolicy));
      expect(localTargets[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 });
    });
  });

  describe('warm-pool.ts', () => {
    it('refill the pool with the same schedule rule, targeting the same function', async () => {
      const rule = cdkNamed('AWS::Events::Rule', WARM_POOL_REFILL_RULE_NAME).Properties ?? {};
      const events = new EventBridgeClient(clientConfig);
      const described = await events.send(new DescribeRuleCommand({ Name: WARM_POOL_REFILL_RULE_NAME }));
      expect(described.ScheduleExpression).toBe(rule.ScheduleExpression);
      expect(described.ScheduleExpression).toBe(WARM_POOL_REFILL_SCHEDULE);
      expect(described.State).toBe(rule.State ?? 'ENABLED');
      const cdkTargets = (rule.Targets as { Arn: unknown }[]).map((t) => functionNameOf(cdkValue(t.Arn)));
      const localTargets = (await events.send(new ListTargetsByRuleCommand({ Rule: WARM_POOL_REFILL_RULE_NAME }))).Targets ?? [];
      expect(localTargets.map((t) => functionNameOf(t.Arn!))).toEqual(cdkTargets);
      expect(cdkTargets).toEqual([FUNCTION_NAMES.warmPool]);
      expect(localTargets.map((t) => t.RetryPolicy)).toEqual((rule.Targets as { RetryPolicy?: unknown }[]).map((t) => t.RetryPolicy));
    });
  });

  describe('track-created-rule.ts', () => {
    it('target the same function with the same retry policy', async () => {
      const rule = cdkNamed('AWS::Events::Rule', TRACK_CREATED_RULE_NAME).Properties ?? {};
      const events = new EventBridgeClient(clientConfig);
      const cdkTargets = rule.Targets as { Arn: unknown; RetryPolicy?: unknown }[];
      const localTargets = (await events.send(new ListTargetsByRuleCommand({ Rule: TRACK_CREATED_RULE_NAME }))).Targets ?? [];
      expect(localTargets.map((t) => functionNameOf(t.Arn!))).toEqual(cdkTargets.map((t) => functionNameOf(cdkValue(t.Arn))));
      expect(localTargets.map((t) => t.RetryPolicy)).toEqual(cdkTargets.map((t) => t.RetryPolicy));
      expect(localTargets[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 });
    });
  });

  describe('command-queues.ts', () => {
    it('create the dead-letter queue with the same attributes', async () => {
      const cdk = cdkNamed('AWS::SQS::Queue', COMMAND_DLQ_NAME).Properties ?? {};
      const sqs = new SQSClient(clientConfig);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: COMMAND_DLQ_NAME }));
      const local = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
      expect(local.FifoQueue).toBe(String(cdk.FifoQueue));
      expect(local.MessageRetentionPeriod).toBe(String(cdk.MessageRetentionPeriod));
      expect(local.SqsManagedSseEnabled).toBe(String(cdk.SqsManagedSseEnabled));
      // Not set by CDK, so AWS's defaults apply; the local queue must have them too.
      expect(cdk.ContentBasedDeduplication).toBeUndefined();
      expect(local.ContentBasedDeduplication).toBe('false');
      expect(cdk.RedrivePolicy).toBeUndefined();
      expect(local.RedrivePolicy).toBeUndefined();
      expect(local.QueueArn).toBe(cloud.deployment.dlqArn);
    });
  });

  describe('controller-service.ts', () => {
    it('creates the cluster of the same name', async () => {
      expect(cdkNamed('AWS::ECS::Cluster', CLUSTER_NAME).Properties?.ClusterName).toBe(CLUSTER_NAME);
      const ecs = new ECSClient(clientConfig);
      const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER_NAME] }));
      expect(clusters?.map((c) => c.clusterArn)).toEqual([cloud.deployment.clusterArn]);
    });

    it("register the controller's task definition with the same size, names, stop timeout, logging and environment names", async () => {
      const cdk = cdkNamed('AWS::ECS::TaskDefinition', CONTROLLER_TASK_FAMILY).Properties ?? {};
      const [cdkContainer] = cdk.ContainerDefinitions as {
        Name: string;
        StopTimeout: number;
        Essential: boolean;
        LinuxParameters?: { InitProcessEnabled?: boolean };
        Environment: { Name: string; Value: unknown }[];
        LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
      }[];
      const ecs = new ECSClient(clientConfig);
      const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: CONTROLLER_TASK_FAMILY }));
      const local = taskDefinition!;
      const [localContainer] = local.containerDefinitions!;

      expect(local.family).toBe(cdk.Family);
      expect(local.cpu).toBe(String(cdk.Cpu));
      expect(local.memory).toBe(String(cdk.Memory));
      expect(local.networkMode).toBe(cdk.NetworkMode);
      expect(local.requiresCompatibilities).toEqual(cdk.RequiresCompatibilities);
      expect(local.containerDefinitions).toHaveLength((cdk.ContainerDefinitions as unknown[]).length);
      expect(localContainer!.name).toBe(cdkContainer!.Name);
      expect(localContainer!.essential).toBe(cdkContainer!.Essential);
      expect(localContainer!.stopTimeout).toBe(cdkContainer!.StopTimeout);
      expect(localContainer!.linuxParameters?.initProcessEnabled).toBe(cdkContainer!.LinuxParameters?.InitProcessEnabled);
      expect(localContainer!.linuxParameters?.initProcessEnabled).toBe(true);

      expect(localContainer!.logConfiguration?.logDriver).toBe(cdkContainer!.LogConfiguration.LogDriver);
      const cdkLog = Object.fromEntries(Object.entries(cdkContainer!.LogConfiguration.Options).map(([k, v]) => [k, cdkValue(v)]));
      const localLog = localContainer!.logConfiguration?.options ?? {};
      expect(localLog['awslogs-group']).toBe(cdkLog['awslogs-group']);
      expect(localLog['awslogs-stream-prefix']).toBe(cdkLog['awslogs-stream-prefix']);
      expect(localLog['awslogs-region']).toBe(cdkLog['awslogs-region']);

      const cdkEnv = Object.fromEntries(cdkContainer!.Environment.map((e) => [e.Name, cdkValue(e.Value)]));
      const localEnv = Object.fromEntries((localContainer!.environment ?? []).map((e) => [e.name!, e.value!]));
      expect(Object.keys(localEnv).sort()).toEqual(Object.keys(cdkEnv).sort());
      // The same controller on AWS and locally: the IVS web SDK joins either stage.
      for (const [key, value] of Object.entries(cdkEnv)) expect(localEnv[key], key).toBe(value);
    });
  });

  describe('ivs-recording.ts', () => {
    it('create the IVS encoder configuration with the same video settings', async () => {
      const cdk = cdkNamed('AWS::IVS::EncoderConfiguration', IVS_ENCODER_CONFIGURATION_NAME).Properties ?? {};
      const ivs = new IVSRealTimeClient(clientConfig);
      const local = (await ivs.send(new GetEncoderConfigurationCommand({ arn: cloud.deployment.encoderConfigurationArn }))).encoderConfiguration;
      const cdkVideo = cdk.Video as Record<string, number>;
      expect(local?.video).toEqual({ width: cdkVideo.Width, height: cdkVideo.Height, framerate: cdkVideo.Framerate, bitrate: cdkVideo.Bitrate });
      const storage = (await ivs.send(new GetStorageConfigurationCommand({ arn: cloud.deployment.storageConfigurationArn }))).storageConfiguration;
      const cdkStorage = cdkNamed('AWS::IVS::StorageConfiguration', IVS_STORAGE_CONFIGURATION_NAME).Properties ?? {};
      expect(storage?.s3?.bucketName).toBe(cdkValue((cdkStorage.S3 as { BucketName: unknown }).BucketName));
    });
  });
});
