/**
 * Deploys the system into the local cloud through the local cloud's own AWS APIs — what `cdk deploy` does on
 * AWS, from the same contract, wired as infra/shelcaster-stack.ts wires its constructs: one file here per
 * construct there (sessions-table.ts, idempotency-table.ts, media-bucket.ts, command-queues.ts,
 * controller-service.ts, ivs-recording.ts, functions.ts, session-lifecycle.ts, controller-stopped-rule.ts,
 * track-created-rule.ts, warm-pool.ts, http-api.ts), which the parity test (test/integration/infra/cdk-local-parity.test.ts) pairs file for
 * file. Idempotent: a restart finds what exists and keeps it.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CLUSTER_NAME, CONTROLLER_TASK_FAMILY, ENV, FUNCTION_NAMES, IVS_COMPOSITION_QUOTA, WARM_POOL_SIZE } from '#contract/index';
import { deployCommandQueues } from './command-queues.ts';
import { deployControllerService } from './controller-service.ts';
import { deployControllerStoppedRule } from './controller-stopped-rule.ts';
import { deployFunctions } from './functions.ts';
import { deployHttpApi, type LocalHttpApi } from './http-api.ts';
import { deployIdempotencyTable } from './idempotency-table.ts';
import { deployIvsRecording } from './ivs-recording.ts';
import { deployMediaBucket } from './media-bucket.ts';
import { deploySessionLifecycle, stateMachineArnOf } from './session-lifecycle.ts';
import { deploySessionsTable } from './sessions-table.ts';
import { deployTrackCreatedRule } from './track-created-rule.ts';
import { deployWarmPool } from './warm-pool.ts';
import type { BindingValues, LocalFunction } from './shelcaster-function.ts';
import type { DeployRoles } from './roles.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.ts';

export { LOCAL_CONTROLLER_IMAGE } from './controller-service.ts';
export type { LocalFunction } from './shelcaster-function.ts';

export interface DeploySystemOptions {
  /** The local cloud's AWS endpoint (http://127.0.0.1:4566). */
  endpoint: string;
  account: string;
  region: string;
  /** Absolute path of the repository (function entries are relative to it). */
  root: string;
  /** Registers a function with the local Lambda service. */
  registerFunction(fn: LocalFunction): Promise<void> | void;
  /** Invokes a function asynchronously (the custom resource's request to the warm pool's function). */
  invokeFunctionAsync(functionName: string, payload: unknown): Promise<void>;
  /** The local IVS's composition quota (the operator's setting); the functions cap live sessions with it. Default: the contract's. */
  compositionQuota?: number;
  /** The roles of the synthesized template (roles.ts). */
  roles: DeployRoles;
  /** Idle controllers the warm pool keeps (0: none). Default: the contract's WARM_POOL_SIZE.local. */
  warmPoolSize?: number;
  /** The rule targets' retry policies and the functions' EventInvokeConfigs, from the template (delivery-settings.ts). */
  delivery?: DeliverySettings;
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
  httpApi: LocalHttpApi;
}

/** Deploys (or finds) every resource of the system in the local cloud. */
export async function deploySystem(options: DeploySystemOptions): Promise<LocalDeployment> {
  const { endpoint, account, region } = options;
  const config = { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const logs = new CloudWatchLogsClient(config);

  const ddb = new DynamoDBClient(config);
  const sessionsTable = await deploySessionsTable(ddb);
  const idempotencyTable = await deployIdempotencyTable(ddb);
  const bucketName = await deployMediaBucket(new S3Client({ ...config, forcePathStyle: true }), account, region);
  const { dlqArn } = await deployCommandQueues(new SQSClient(config));
  const recording = await deployIvsRecording(new IVSRealTimeClient(config), bucketName);
  const controller = await deployControllerService(new ECSClient(config), logs, { account, region, bucketName, ...options.roles.controllerTaskRoles });
  const stateMachineArn = stateMachineArnOf(region, account);

  // What each binding's variables hold here (CDK's bind methods set the same names to AWS's values).
  const bindingValues: BindingValues = {
    [ENV.sessionsTable]: sessionsTable,
    [ENV.idempotencyTable]: idempotencyTable,
    [ENV.mediaBucket]: bucketName,
    [ENV.stateMachineArn]: stateMachineArn,
    [ENV.clusterName]: CLUSTER_NAME,
    [ENV.taskDefinition]: CONTROLLER_TASK_FAMILY,
    [ENV.subnets]: 'subnet-local',
    [ENV.securityGroups]: 'sg-local',
    [ENV.assignPublicIp]: 'ENABLED',
    [ENV.dlqArn]: dlqArn,
    [ENV.storageConfigurationArn]: recording.storageConfigurationArn,
    [ENV.encoderConfigurationArn]: recording.encoderConfigurationArn,
    [ENV.compositionQuota]: String(options.compositionQuota ?? IVS_COMPOSITION_QUOTA),
    [ENV.warmPoolSize]: String(options.warmPoolSize ?? WARM_POOL_SIZE.local),
    [ENV.warmPoolFunction]: FUNCTION_NAMES.warmPool,
  };
  const delivery = options.delivery ?? DEFAULT_DELIVERY_SETTINGS;
  const functions = await deployFunctions(
    logs,
    options.root,
    bindingValues,
    (fn) => {
      const asyncInvokeConfig = delivery.asyncInvokeConfig(fn.functionName);
      return options.registerFunction(asyncInvokeConfig ? { ...fn, asyncInvokeConfig } : fn);
    },
    options.roles.functionRole,
  );
  const lifecycle = await deploySessionLifecycle(new SFNClient(config), region, account, options.roles.stateMachineRole);
  const events = new EventBridgeClient(config);
  await deployControllerStoppedRule(events, controller.clusterArn, region, account, delivery);
  await deployTrackCreatedRule(events, region, account, delivery);
  await deployWarmPool(events, region, account, (request) => options.invokeFunctionAsync(FUNCTION_NAMES.warmPool, request), delivery);

  return {
    stateMachineArn: lifecycle.stateMachineArn,
    clusterArn: controller.clusterArn,
    taskDefinitionArn: controller.taskDefinitionArn,
    bucketName,
    dlqArn,
    ...recording,
    bindingValues,
    functions,
    definition: lifecycle.definition,
    httpApi: deployHttpApi(),
  };
}
