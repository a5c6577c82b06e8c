/**
 * The environment the functions read at cold start (names from the contract's BINDING_ENV). Import this
 * first in a test file, before any function module.
 */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  POWERTOOLS_SERVICE_NAME: 'shelcaster-test',
  SESSIONS_TABLE_NAME: 'shelcaster-sessions',
  IDEMPOTENCY_TABLE_NAME: 'shelcaster-idempotency',
  MEDIA_BUCKET_NAME: 'shelcaster-media-123456789012-us-east-1',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:shelcaster-session-lifecycle',
  CLUSTER_NAME: 'shelcaster-cluster',
  CONTROLLER_TASK_DEFINITION: 'shelcaster-program-controller',
  CONTROLLER_SUBNETS: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
  CONTROLLER_SECURITY_GROUPS: 'sg-0123456789abcdef0',
  CONTROLLER_ASSIGN_PUBLIC_IP: 'ENABLED',
  COMMAND_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:shelcaster-program-commands-dlq.fifo',
  IVS_STORAGE_CONFIGURATION_ARN: 'arn:aws:ivs:us-east-1:123456789012:storage-configuration/AbCdEf123456',
  IVS_ENCODER_CONFIGURATION_ARN: 'arn:aws:ivs:us-east-1:123456789012:encoder-configuration/GhIjKl789012',
  WARM_POOL_SIZE: '1',
  WARM_POOL_FUNCTION_NAME: 'shelcaster-warm-pool',
} as const;

for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] = value;
for (const key of ['AWS_EXECUTION_ENV', 'AWS_ENDPOINT_URL', 'AWS_PROFILE']) delete process.env[key];

// Logs are printed at DEBUG (so tests can read them) into a silent console; captureLogs() listens in.
const { logger } = await import('#commons/powertools');
const loggerConsole = (logger as unknown as { console: Record<string, (...args: unknown[]) => void> }).console;
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) loggerConsole[method] = () => undefined;
