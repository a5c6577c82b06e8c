/**
 * Environment variable names the functions and the controller read. CDK and the local cloud set them;
 * every other module names them through ENV.
 */
export const ENV = {
  sessionsTable: 'SESSIONS_TABLE_NAME',
  idempotencyTable: 'IDEMPOTENCY_TABLE_NAME',
  mediaBucket: 'MEDIA_BUCKET_NAME',
  stateMachineArn: 'STATE_MACHINE_ARN',
  clusterName: 'CLUSTER_NAME',
  taskDefinition: 'CONTROLLER_TASK_DEFINITION',
  subnets: 'CONTROLLER_SUBNETS',
  securityGroups: 'CONTROLLER_SECURITY_GROUPS',
  assignPublicIp: 'CONTROLLER_ASSIGN_PUBLIC_IP',
  dlqArn: 'COMMAND_DLQ_ARN',
  storageConfigurationArn: 'IVS_STORAGE_CONFIGURATION_ARN',
  encoderConfigurationArn: 'IVS_ENCODER_CONFIGURATION_ARN',
  /** The account's IVS composition quota (the operator's setting): the account's cap of live sessions. */
  compositionQuota: 'IVS_COMPOSITION_QUOTA',
  /** Powertools' service name of a function's logs and traces (set to the function's name). */
  powertoolsServiceName: 'POWERTOOLS_SERVICE_NAME',
  /** The warm pool's size (idle controllers kept; 0: none) and the function that refills it. */
  warmPoolSize: 'WARM_POOL_SIZE',
  warmPoolFunction: 'WARM_POOL_FUNCTION_NAME',
  /** Controller only. */
  sessionId: 'SESSION_ID',
  stageArn: 'STAGE_ARN',
  queueUrl: 'COMMAND_QUEUE_URL',
  /** Which start of the session's controller this task is (the session's controllerRestarts when it was run). */
  controllerGeneration: 'CONTROLLER_GENERATION',
  chromiumPath: 'CHROMIUM_PATH',
  /** `1` for a warm-pool controller: it waits idle, its page loaded, until a session claims it. */
  warmPoolController: 'WARM_POOL_CONTROLLER',
} as const;
