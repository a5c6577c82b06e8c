/**
 * `npm start`: runs the local cloud in the foreground until Ctrl-C.
 *   SHELCASTER_DATA_DIR   state directory (default .shelcaster/)
 *   SHELCASTER_AWS_PORT   AWS endpoint port (default 4566)
 *   SHELCASTER_API_PORT   HTTP API port (default 3000)
 *   SHELCASTER_CONTROLLER_ENV  JSON object of extra environment for controller processes (test hook)
 *   SHELCASTER_SEED_DEMO  0 to skip the demo user's tracks (default: seed them)
 *   SHELCASTER_IVS_COMPOSITION_QUOTA  compositions the local IVS lets run at once (default 5, AWS's default quota)
 *   SHELCASTER_IAM        `enforce` (default): every AWS request is evaluated against the synthesized template's
 *                         IAM; `off`: the roles are served and used, nothing is denied
 *   SHELCASTER_TEMPLATE_CACHE  where the synthesized template is cached (default cdk.out/local-cloud/)
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_API_PORT, LOCAL_AWS_PORT } from './gateway/provider.ts';
import { startLocalCloud } from './local-cloud.ts';

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

const cloud = await startLocalCloud({
  iamEnforcement: iamSetting === 'enforce',
  dataDir,
  awsPort,
  apiPort,
  root,
  seedDemo,
  ...(controllerEnvironment ? { controllerEnvironment } : {}),
  ...(compositionQuota ? { ivsCompositionQuota: Number(compositionQuota) } : {}),
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
    '',
    'Get a bearer token:      npm run -s token -- <userId>',
    `Point the AWS CLI here:  aws --endpoint-url ${cloud.endpoint} stepfunctions list-state-machines`,
    '                         (AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1)',
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
