/**
 * Deploys the system into the local cloud through the local cloud's own AWS APIs — what `cdk deploy`
 * does on AWS, from the same contract: tables, bucket, dead-letter queue, IVS recording configurations,
 * cluster and task definition, log groups, functions, the state machine (the ASL file with the same
 * substitutions), the controller-stopped rule and the track-created rule. Idempotent: a restart finds what exists and keeps it.
 */
import { readFile } from 'node:fs/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException as TableNotFound,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateEncoderConfigurationCommand,
  CreateStorageConfigurationCommand,
  GetEncoderConfigurationCommand,
  GetStorageConfigurationCommand,
  IVSRealTimeClient,
  ListEncoderConfigurationsCommand,
  ListStorageConfigurationsCommand,
} from '@aws-sdk/client-ivs-realtime';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  SFNClient,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  ASL_FILE,
  CLUSTER_NAME,
  COMMAND_DLQ_NAME,
  COMPOSITION_VIDEO,
  CONTROLLER_CONTAINER_NAME,
  CONTROLLER_LOG_GROUP,
  CONTROLLER_LOG_STREAM_PREFIX,
  CONTROLLER_STOPPED_RULE_NAME,
  TRACK_CREATED_RULE_NAME,
  trackCreatedPattern,
  CONTROLLER_STOP_TIMEOUT_SECONDS,
  CONTROLLER_TASK_FAMILY,
  CONTROLLER_TASK_SIZE,
  DLQ_RETENTION_SECONDS,
  FUNCTIONS,
  FUNCTION_NAMES,
  FUNCTION_SUBSTITUTIONS,
  IDEMPOTENCY_TABLE_NAME,
  IVS_ENCODER_CONFIGURATION_NAME,
  IVS_STORAGE_CONFIGURATION_NAME,
  LOG_RETENTION_DAYS,
  SESSIONS_BY_HOST_INDEX,
  SESSIONS_TABLE_NAME,
  STATE_MACHINE_NAME,
  controllerContainerEnvironment,
  controllerStoppedPattern,
  mediaBucketName,
  substituteDefinition,
  type FunctionRole,
  type SubstitutionKey,
} from '#contract/index';
import { functionEnvironment, type BindingValues } from './function-environment.ts';

/** The variable that names a function's service in its Powertools logs (CDK sets it to the function name). */
const POWERTOOLS_SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';

/** The image name the local ECS maps to the controller command. */
export const LOCAL_CONTROLLER_IMAGE = `${CONTROLLER_TASK_FAMILY}:local`;

export interface LocalFunction {
  functionName: string;
  /** Absolute path of the handler module. */
  entry: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMiB: number;
}

export interface DeploySystemOptions {
  /** The local cloud's AWS endpoint (http://127.0.0.1:4566). */
  endpoint: string;
  account: string;
  region: string;
  /** Absolute path of the repository (function entries are relative to it). */
  root: string;
  /** Registers a function with the local Lambda service. */
  registerFunction(fn: LocalFunction): Promise<void> | void;
}

export interface LocalDeployment {
  stateMachineArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  bucketName: string;
  dlqArn: string;
  storageConfigurationArn: string;
  encoderConfigurationArn: string;
  bindingValues: BindingValues;
  functions: LocalFunction[];
  definition: string;
}

/** ARN of a function in this account and region. */
export const functionArn = (region: string, account: string, role: FunctionRole) =>
  `arn:aws:lambda:${region}:${account}:function:${FUNCTION_NAMES[role]}`;

/** Deploys (or finds) every resource of the system in the local cloud. */
export async function deploySystem(options: DeploySystemOptions): Promise<LocalDeployment> {
  const { endpoint, account, region } = options;
  const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

  await ensureTables(new DynamoDBClient(config));
  const bucketName = mediaBucketName(account, region);
  await ensureBucket(new S3Client({ ...config, forcePathStyle: true }), bucketName);
  const dlqArn = await ensureDeadLetterQueue(new SQSClient(config));
  const ivs = new IVSRealTimeClient(config);
  const storageConfigurationArn = await ensureStorageConfiguration(ivs, bucketName);
  const encoderConfigurationArn = await ensureEncoderConfiguration(ivs);
  const logs = new CloudWatchLogsClient(config);
  await ensureLogGroup(logs, CONTROLLER_LOG_GROUP);

  const ecs = new ECSClient(config);
  const cluster = await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER_NAME }));
  const clusterArn = cluster.cluster?.clusterArn ?? `arn:aws:ecs:${region}:${account}:cluster/${CLUSTER_NAME}`;
  const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${STATE_MACHINE_NAME}`;

  const bindingValues: BindingValues = {
    SESSIONS_TABLE_NAME,
    IDEMPOTENCY_TABLE_NAME,
    MEDIA_BUCKET_NAME: bucketName,
    STATE_MACHINE_ARN: stateMachineArn,
    CLUSTER_NAME,
    CONTROLLER_TASK_DEFINITION: CONTROLLER_TASK_FAMILY,
    CONTROLLER_SUBNETS: 'subnet-local',
    CONTROLLER_SECURITY_GROUPS: 'sg-local',
    CONTROLLER_ASSIGN_PUBLIC_IP: 'ENABLED',
    COMMAND_DLQ_ARN: dlqArn,
    IVS_STORAGE_CONFIGURATION_ARN: storageConfigurationArn,
    IVS_ENCODER_CONFIGURATION_ARN: encoderConfigurationArn,
  };

  const taskDefinition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: CONTROLLER_TASK_FAMILY,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(CONTROLLER_TASK_SIZE.cpu),
      memory: String(CONTROLLER_TASK_SIZE.memoryMiB),
      containerDefinitions: [
        {
          name: CONTROLLER_CONTAINER_NAME,
          image: LOCAL_CONTROLLER_IMAGE,
          essential: true,
          stopTimeout: CONTROLLER_STOP_TIMEOUT_SECONDS,
          environment: Object.entries(
            controllerContainerEnvironment({ SESSIONS_TABLE_NAME, MEDIA_BUCKET_NAME: bucketName }, 'whip'),
          ).map(([name, value]) => ({ name, value })),
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': CONTROLLER_LOG_GROUP,
              'awslogs-stream-prefix': CONTROLLER_LOG_STREAM_PREFIX,
              'awslogs-region': region,
            },
          },
        },
      ],
    }),
  );
  const taskDefinitionArn = taskDefinition.taskDefinition?.taskDefinitionArn ?? CONTROLLER_TASK_FAMILY;

  const functions: LocalFunction[] = [];
  for (const spec of FUNCTIONS) {
    const fn: LocalFunction = {
      functionName: FUNCTION_NAMES[spec.role],
      entry: `${options.root}/${spec.entry}`,
      // As CDK's ShelcasterFunction: the bindings' variables plus the Powertools service name.
      environment: { ...functionEnvironment(spec, bindingValues), [POWERTOOLS_SERVICE_NAME_ENV]: FUNCTION_NAMES[spec.role] },
      timeoutSeconds: spec.timeoutSeconds,
      memoryMiB: spec.memoryMiB,
    };
    await ensureLogGroup(logs, `/aws/lambda/${fn.functionName}`);
    await options.registerFunction(fn);
    functions.push(fn);
  }

  const substitutions = Object.fromEntries(
    Object.entries(FUNCTION_SUBSTITUTIONS).map(([key, role]) => [key, functionArn(region, account, role)]),
  ) as Record<SubstitutionKey, string>;
  const definition = substituteDefinition(await readFile(ASL_FILE, 'utf8'), substitutions);
  await ensureStateMachine(new SFNClient(config), stateMachineArn, definition, account);

  const events = new EventBridgeClient(config);
  /** One rule sending its pattern's events to one of the system's functions. */
  const putRule = async (name: string, pattern: unknown, description: string, targetId: string, role: FunctionRole) => {
    await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), State: 'ENABLED', Description: description }));
    await events.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: targetId, Arn: functionArn(region, account, role) }] }));
  };
  await putRule(
    CONTROLLER_STOPPED_RULE_NAME,
    controllerStoppedPattern(clusterArn, CONTROLLER_TASK_FAMILY),
    'Ends the wait of a session whose program controller task stopped.',
    'controller-stopped',
    'controllerStopped',
  );
  await putRule(TRACK_CREATED_RULE_NAME, trackCreatedPattern(), 'Measures the loudness of each new track.', 'measure-track', 'measureTrack');

  return {
    stateMachineArn,
    clusterArn,
    taskDefinitionArn,
    bucketName,
    dlqArn,
    storageConfigurationArn,
    encoderConfigurationArn,
    bindingValues,
    functions,
    definition,
  };
}

/** Creates the sessions and idempotency tables unless they exist. */
async function ensureTables(ddb: DynamoDBClient): Promise<void> {
  const exists = async (TableName: string) => {
    try {
      await ddb.send(new DescribeTableCommand({ TableName }));
      return true;
    } catch (error) {
      if (error instanceof TableNotFound) return false;
      throw error;
    }
  };
  if (!(await exists(SESSIONS_TABLE_NAME))) {
    await ddb.send(
      new CreateTableCommand({
        TableName: SESSIONS_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'hostId', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: SESSIONS_BY_HOST_INDEX,
            KeySchema: [
              { AttributeName: 'hostId', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  }
  if (!(await exists(IDEMPOTENCY_TABLE_NAME))) {
    await ddb.send(
      new CreateTableCommand({
        TableName: IDEMPOTENCY_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
  }
}

/** Creates the media bucket unless it exists. */
async function ensureBucket(s3: S3Client, Bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
}

/** Creates the shared FIFO dead-letter queue (CreateQueue is idempotent) and returns its ARN. */
async function ensureDeadLetterQueue(sqs: SQSClient): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: COMMAND_DLQ_NAME,
      // As CDK's queue: FIFO, the contract's retention, SQS-managed encryption (stored, not enforced locally).
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS), SqsManagedSseEnabled: 'true' },
    }),
  );
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new Error('The dead-letter queue has no ARN');
  return arn;
}

/** The IVS storage configuration that writes recordings to the media bucket. */
async function ensureStorageConfiguration(ivs: IVSRealTimeClient, bucketName: string): Promise<string> {
  const known = await findByName(ivs, 'storage', IVS_STORAGE_CONFIGURATION_NAME);
  if (known) return known;
  const created = await ivs.send(
    new CreateStorageConfigurationCommand({ name: IVS_STORAGE_CONFIGURATION_NAME, s3: { bucketName } }),
  );
  const arn = created.storageConfiguration?.arn;
  if (!arn) throw new Error('CreateStorageConfiguration returned no ARN');
  return arn;
}

/** The IVS encoder configuration of the composition. */
async function ensureEncoderConfiguration(ivs: IVSRealTimeClient): Promise<string> {
  const known = await findByName(ivs, 'encoder', IVS_ENCODER_CONFIGURATION_NAME);
  if (known) return known;
  const created = await ivs.send(
    new CreateEncoderConfigurationCommand({
      name: IVS_ENCODER_CONFIGURATION_NAME,
      video: { ...COMPOSITION_VIDEO },
    }),
  );
  const arn = created.encoderConfiguration?.arn;
  if (!arn) throw new Error('CreateEncoderConfiguration returned no ARN');
  return arn;
}

/** Finds a configuration by name through its list operation. */
async function findByName(ivs: IVSRealTimeClient, kind: 'storage' | 'encoder', name: string): Promise<string | undefined> {
  if (kind === 'storage') {
    const list = await ivs.send(new ListStorageConfigurationsCommand({}));
    const arn = list.storageConfigurations?.find((c) => c.name === name)?.arn;
    if (arn) await ivs.send(new GetStorageConfigurationCommand({ arn }));
    return arn;
  }
  const list = await ivs.send(new ListEncoderConfigurationsCommand({}));
  const arn = list.encoderConfigurations?.find((c) => c.name === name)?.arn;
  if (arn) await ivs.send(new GetEncoderConfigurationCommand({ arn }));
  return arn;
}

/** Creates a log group with the project's retention unless it exists. */
async function ensureLogGroup(logs: CloudWatchLogsClient, logGroupName: string): Promise<void> {
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
  }
  await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: LOG_RETENTION_DAYS }));
}

/** Creates the state machine, or updates its definition when the ASL file changed since the last start. */
async function ensureStateMachine(sfn: SFNClient, arn: string, definition: string, account: string): Promise<void> {
  const roleArn = `arn:aws:iam::${account}:role/shelcaster-session-lifecycle`;
  try {
    const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    if (current.definition !== definition) {
      await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition }));
    }
  } catch (error) {
    if ((error as { name?: string }).name !== 'StateMachineDoesNotExist') throw error;
    await sfn.send(new CreateStateMachineCommand({ name: STATE_MACHINE_NAME, definition, roleArn, type: 'STANDARD' }));
  }
}
