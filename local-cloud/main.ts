/**
 * `npm start`: runs the local cloud in the foreground until Ctrl-C.
 *   SHELCASTER_DATA_DIR   state directory (default .shelcaster/)
 *   SHELCASTER_AWS_PORT   AWS endpoint port (default 4566)
 *   SHELCASTER_API_PORT   HTTP API port (default 3000)
 *   SHELCASTER_CONTROLLER_ENV  JSON object of extra environment for controller processes (test hook)
 *   SHELCASTER_SEED_DEMO  0 to skip the demo user's tracks (default: seed them)
 *   SHELCASTER_IVS_COMPOSITION_QUOTA  compositions the local IVS lets run at once (default 5, AWS's default quota)
 *   SHELCASTER_EVENT_DELIVERY  JSON {"duplicateRate":0..1,"maxDelayMs":n}: EventBridge's at-least-once, any-order delivery
 *                         (default {"duplicateRate":0.1,"maxDelayMs":2000}); `exactly-once`: each event once, at once
 *   SHELCASTER_FAULTS  JSON array of faults injected from the start (docs/local-cloud.md, "Fault injection")
 *   SHELCASTER_FARGATE_STARTUP_MS  Fargate's RunTask → RUNNING time the local ECS models (default 30000; 0: none)
 *   SHELCASTER_ALLOWED_ORIGINS  comma-separated web origins let in besides the API's own (default none)
 *   SHELCASTER_IAM        `enforce` (default): every AWS request is evaluated against the synthesized template's
 *                         IAM; `off`: the roles are served and used, nothing is denied
 *   SHELCASTER_TEMPLATE_CACHE  where the synthesized template is cached (default cdk.out/local-cloud/)
 *   SHELCASTER_WARM_POOL_SIZE  idle controllers the warm pool keeps (default 1; 0: no pool)
 *   SHELCASTER_SQS_DELETE_DELAY_MS  how long a deleted queue goes on answering (default 60000, AWS's "up to 60
 *                         seconds"; 0: gone at once)
 *   SHELCASTER_STOP_WITH_STDIN  1: stop when stdin ends (the test harness holds a pipe open, so the local cloud
 *                         and its controllers stop with a test process that crashed or was killed)
 */
import './require-node-22.ts';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_WARM_POOL_SIZE, WARM_POOL_SIZE } from '#contract/index';
import { LOCAL_API_PORT, LOCAL_AWS_PORT } from './gateway/provider.ts';
import { faultsFromSetting, type FaultSpec } from './gateway/faults.ts';
import type { DeliverySemantics } from './services/events/provider.ts';
import { EVENT_DELIVERY_ENV, eventDeliveryFromSetting } from './services/events/delivery-setting.ts';
import { startLocalCloud } from './local-cloud.ts';
import { FARGATE_STARTUP_ENV, fargateStartupFromEnvironment, type FargateStartup } from './services/ecs/fargate-startup.ts';
import { allowedOriginsFromEnvironment } from './gateway/origin-policy.ts';
import { SQS_DELETE_QUEUE_DELAY_MS } from './services/sqs/constants.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(process.env.SHELCASTER_DATA_DIR ?? '.shelcaster');
const awsPort = Number(process.env.SHELCASTER_AWS_PORT ?? LOCAL_AWS_PORT);
const apiPort = Number(process.env.SHELCASTER_API_PORT ?? LOCAL_API_PORT);

const controllerEnvironment = process.env.SHELCASTER_CONTROLLER_ENV
  ? (JSON.parse(process.env.SHELCASTER_CONTROLLER_ENV) as Record<string, string>)
  : undefined;

const seedDemo = process.env.SHELCASTER_SEED_DEMO !== '0';
const compositionQuota = process.env.SHELCASTER_IVS_COMPOSITION_QUOTA;
if (compositionQuota !== undefined && !(Number.isInteger(Number(compositionQuota)) && Number(compositionQuota) >= 1)) {
  process.stderr.write(`SHELCASTER_IVS_COMPOSITION_QUOTA must be a whole number ≥ 1 (got "${compositionQuota}")\n`);
  process.exit(2);
}

const iamSetting = process.env.SHELCASTER_IAM ?? 'enforce';
if (iamSetting !== 'enforce' && iamSetting !== 'off') {
  process.stderr.write(`SHELCASTER_IAM must be enforce or off (got "${iamSetting}")\n`);
  process.exit(2);
}

let allowedOrigins: string[];
try {
  allowedOrigins = allowedOriginsFromEnvironment(process.env);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

let faults: FaultSpec[];
let fargateStartup: FargateStartup | undefined;
let eventDelivery: DeliverySemantics | undefined;
try {
  faults = faultsFromSetting(process.env.SHELCASTER_FAULTS);
  fargateStartup = fargateStartupFromEnvironment(process.env[FARGATE_STARTUP_ENV]);
  eventDelivery = eventDeliveryFromSetting(process.env[EVENT_DELIVERY_ENV]);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

const warmPoolSetting = process.env.SHELCASTER_WARM_POOL_SIZE;
const warmPoolSize = warmPoolSetting === undefined ? WARM_POOL_SIZE.local : Number(warmPoolSetting);
if (!(Number.isInteger(warmPoolSize) && warmPoolSize >= 0 && warmPoolSize <= MAX_WARM_POOL_SIZE)) {
  process.stderr.write(`SHELCASTER_WARM_POOL_SIZE must be a whole number from 0 to ${MAX_WARM_POOL_SIZE} (got "${warmPoolSetting}")\n`);
  process.exit(2);
}

const deleteDelaySetting = process.env.SHELCASTER_SQS_DELETE_DELAY_MS;
const sqsDeleteQueueDelayMs = deleteDelaySetting === undefined || deleteDelaySetting === '' ? SQS_DELETE_QUEUE_DELAY_MS : Number(deleteDelaySetting);
if (!(Number.isInteger(sqsDeleteQueueDelayMs) && sqsDeleteQueueDelayMs >= 0 && sqsDeleteQueueDelayMs <= SQS_DELETE_QUEUE_DELAY_MS)) {
  process.stderr.write(`SHELCASTER_SQS_DELETE_DELAY_MS must be a whole number of milliseconds from 0 to ${SQS_DELETE_QUEUE_DELAY_MS} (got "${deleteDelaySetting}")\n`);
  process.exit(2);
}

const cloud = await startLocalCloud({
  faults,
  ...(eventDelivery ? { eventDelivery } : {}),
  allowedOrigins,
  iamEnforcement: iamSetting === 'enforce',
  dataDir,
  awsPort,
  apiPort,
  root,
  seedDemo,
  ...(controllerEnvironment ? { controllerEnvironment } : {}),
  ...(compositionQuota ? { ivsCompositionQuota: Number(compositionQuota) } : {}),
  ...(fargateStartup ? { fargateStartup } : {}),
  warmPoolSize,
  sqsDeleteQueueDelayMs,
});

process.stdout.write(
  [
    '',
    'Shelcaster local cloud is up.',
    `  AWS endpoint   ${cloud.endpoint}   (Step Functions, SQS, DynamoDB, S3, Logs, ECS, EventBridge, Lambda, IVS, IAM)`,
    `  IAM            ${cloud.iam.enforce ? 'enforced from the synthesized template' : 'off (SHELCASTER_IAM=off): nothing is denied'}`,
    `  HTTP API       ${cloud.apiUrl}`,
    `  Host console   ${cloud.apiUrl}/   (one-click local sign-in; the demo user has tracks ready)`,
    `  Executions     ${cloud.apiUrl}/executions`,
    `  State machine  ${cloud.deployment.stateMachineArn}`,
    `  Data           ${dataDir}`,
    `  Warm pool      ${warmPoolSize > 0 ? `${warmPoolSize} idle controller${warmPoolSize === 1 ? '' : 's'} kept ready (SHELCASTER_WARM_POOL_SIZE)` : 'off (SHELCASTER_WARM_POOL_SIZE=0): every show starts a controller task'}`,
    `  EventBridge    ${eventDelivery ? `at least once, in any order: ${eventDelivery.duplicateRate * 100} % of deliveries twice, each after up to ${eventDelivery.maxDelayMs} ms (SHELCASTER_EVENT_DELIVERY)` : 'each event once, at once (SHELCASTER_EVENT_DELIVERY=exactly-once)'}`,
    `  SQS            a deleted queue answers for ${sqsDeleteQueueDelayMs / 1000} s more (SHELCASTER_SQS_DELETE_DELAY_MS), as on AWS`,
    `  Fargate model  ${fargateStartup ? `controller tasks take ${(fargateStartup.provisioningMs + fargateStartup.pullMs) / 1000} s from RunTask to RUNNING (${FARGATE_STARTUP_ENV})` : `off (${FARGATE_STARTUP_ENV}=0): controller tasks start at once`}`,
    '',
    'Get a bearer token:      npm run -s token -- <userId>',
    `Point the AWS CLI here:  aws --endpoint-url ${cloud.endpoint} stepfunctions list-state-machines`,
    '                         (AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1)',
    'Stop: Ctrl-C',
    '',
    'Local cloud ready',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`\n${signal}: stopping the local cloud ...\n`);
  const force = setTimeout(() => {
    process.stderr.write('Stopping took too long; exiting.\n');
    process.exit(1);
  }, 45_000);
  force.unref();
  await cloud.close();
  process.stdout.write('Stopped.\n');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
if (process.env.SHELCASTER_STOP_WITH_STDIN === '1') {
  // The parent that reads stdout and stderr is gone too: writing to them fails (EPIPE), which must not end
  // this process before it has stopped its controllers.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('error', () => void stop('stdin closed'));
  process.stdin.resume();
}
