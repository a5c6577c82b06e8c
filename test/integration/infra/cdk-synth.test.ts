/**
 * `cdk synth` with the pinned CLI, offline: no AWS credentials or config, no instance metadata, and every HTTP(S)
 * request sent to a trap proxy on loopback that counts connections. The template written must hold every name
 * and size of the system, the functions must be bundled as ESM, and the state machine asset must be the ASL file.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ASL_FILE,
  CLUSTER_NAME,
  COMMAND_DLQ_NAME,
  COMMAND_QUEUE_PREFIX,
  CONTROLLER_CONTAINER_NAME,
  CONTROLLER_LOG_GROUP,
  CONTROLLER_STOPPED_RULE_NAME,
  TRACK_CREATED_RULE_NAME,
  WARM_POOL_REFILL_RULE_NAME,
  CONTROLLER_TASK_FAMILY,
  CONTROLLER_TASK_SIZE,
  FUNCTION_NAMES,
  HTTP_API_NAME,
  IDEMPOTENCY_TABLE_NAME,
  MEDIA_BUCKET_PREFIX,
  SESSIONS_TABLE_NAME,
  STATE_MACHINE_NAME,
} from '#contract/index';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * `cdk synth` bundles every function with esbuild, one after another: ~1.5 s each on an idle 2-core machine,
 * up to 8 s each when the machine is loaded (a CI run beside other work went past 240 s). A bound, not a figure.
 */
const SYNTH_TIMEOUT_MS = 600_000;

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

let outDir: string;
let trap: Server;
let trapConnections = 0;
let resources: Resource[];
let templateText: string;

/** A loopback TCP server that counts and drops every connection: the proxy of a machine without network. */
async function startTrapProxy(): Promise<number> {
  trap = createServer((socket) => {
    trapConnections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const address = trap.address();
  if (address === null || typeof address === 'string') throw new Error('trap proxy has no port');
  return address.port;
}

/** The environment without any AWS credentials or configuration, and with the trap as proxy. */
function offlineEnvironment(proxyPort: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CDK_DEFAULT_)/.test(name) && !/^(https?|no)_proxy$/i.test(name)) env[name] = value;
  }
  const proxy = `http://127.0.0.1:${proxyPort}`;
  return {
    ...env,
    AWS_CONFIG_FILE: join(outDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(outDir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
  };
}

const ofType = (type: string) => resources.filter((r) => r.Type === type);

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'shelcaster-synth-'));
  const port = await startTrapProxy();
  await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', join(outDir, 'cdk.out')], {
    cwd: ROOT,
    env: offlineEnvironment(port),
    maxBuffer: 64 * 1024 * 1024,
    timeout: SYNTH_TIMEOUT_MS,
  });
  templateText = readFileSync(join(outDir, 'cdk.out', 'Shelcaster.template.json'), 'utf8');
  resources = Object.values((JSON.parse(templateText) as { Resources: Record<string, Resource> }).Resources);
}, SYNTH_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (trap ? trap.close(() => resolve()) : resolve()));
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('cdk synth (pinned CLI, offline)', () => {
  it('synthesizes without credentials and without opening a network connection', () => {
    expect(templateText.length).toBeGreaterThan(0);
    expect(trapConnections).toBe(0);
  });

  it('writes every name of the system into the template', () => {
    const names = [
      SESSIONS_TABLE_NAME,
      IDEMPOTENCY_TABLE_NAME,
      COMMAND_DLQ_NAME,
      `${COMMAND_QUEUE_PREFIX}-*`,
      CLUSTER_NAME,
      CONTROLLER_TASK_FAMILY,
      CONTROLLER_CONTAINER_NAME,
      CONTROLLER_LOG_GROUP,
      STATE_MACHINE_NAME,
      CONTROLLER_STOPPED_RULE_NAME,
      TRACK_CREATED_RULE_NAME,
      WARM_POOL_REFILL_RULE_NAME,
      HTTP_API_NAME,
      `${MEDIA_BUCKET_PREFIX}-`,
      ...Object.values(FUNCTION_NAMES),
    ];
    for (const name of names) expect(templateText, name).toContain(`${name}`);
  });

  it('names the resources as the contract does', () => {
    expect(ofType('AWS::DynamoDB::Table').map((r) => r.Properties.TableName).sort()).toEqual(
      [IDEMPOTENCY_TABLE_NAME, SESSIONS_TABLE_NAME].sort(),
    );
    expect(ofType('AWS::SQS::Queue').map((r) => r.Properties.QueueName)).toEqual([COMMAND_DLQ_NAME]);
    expect(ofType('AWS::ECS::Cluster').map((r) => r.Properties.ClusterName)).toEqual([CLUSTER_NAME]);
    expect(ofType('AWS::StepFunctions::StateMachine').map((r) => r.Properties.StateMachineName)).toEqual([STATE_MACHINE_NAME]);
    expect(ofType('AWS::Events::Rule').map((r) => r.Properties.Name).sort()).toEqual(
      [CONTROLLER_STOPPED_RULE_NAME, TRACK_CREATED_RULE_NAME, WARM_POOL_REFILL_RULE_NAME].sort(),
    );
    expect(ofType('AWS::ApiGatewayV2::Api').map((r) => r.Properties.Name)).toEqual([HTTP_API_NAME]);
    expect(ofType('AWS::Lambda::Function').map((r) => r.Properties.FunctionName)).toEqual(
      expect.arrayContaining(Object.values(FUNCTION_NAMES)),
    );
    expect(ofType('AWS::Logs::LogGroup').map((r) => r.Properties.LogGroupName)).toContain(CONTROLLER_LOG_GROUP);
  });

  it('sizes the controller task 512 CPU / 1024 MiB on Fargate with awsvpc', () => {
    expect(ofType('AWS::ECS::TaskDefinition').map((r) => r.Properties)).toEqual([
      expect.objectContaining({
        Family: CONTROLLER_TASK_FAMILY,
        Cpu: String(CONTROLLER_TASK_SIZE.cpu),
        Memory: String(CONTROLLER_TASK_SIZE.memoryMiB),
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
      }),
    ]);
  });

  it('bundles every function as an ES module that can require CommonJS dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(outDir, 'cdk.out', 'Shelcaster.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging?: string } }>;
    };
    const functions = ofType('AWS::Lambda::Function').filter((r) =>
      (Object.values(FUNCTION_NAMES) as unknown[]).includes(r.Properties.FunctionName),
    );
    expect(functions).toHaveLength(Object.keys(FUNCTION_NAMES).length);
    for (const fn of functions) {
      const key = String((fn.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      const bundle = join(outDir, 'cdk.out', manifest.files[key]!.source.path, 'index.mjs');
      expect(existsSync(bundle), String(fn.Properties.FunctionName)).toBe(true);
      const head = readFileSync(bundle, 'utf8').slice(0, 400);
      expect(head).toContain('createRequire');
      expect(head).toContain('import.meta.url');
    }
  });

  it('ships the ASL file unchanged as the state machine definition', () => {
    const [stateMachine] = ofType('AWS::StepFunctions::StateMachine');
    const key = (stateMachine!.Properties.DefinitionS3Location as { Key: string }).Key;
    expect(readFileSync(join(outDir, 'cdk.out', `asset.${key}`), 'utf8')).toBe(readFileSync(ASL_FILE, 'utf8'));
  });
});
