import { beforeAll, describe, expect, it } from 'vitest';
import { BINDING_ENV, FUNCTIONS, FUNCTION_NAMES, type Binding, type FunctionSpec } from '#contract/index';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';
import type { Grant } from '../template-reader.ts';
import { SESSION_QUEUE_MANAGE_ACTIONS } from '#infra/constructs/command-queues';

const STATE_MACHINE = 'arn:aws:states:REGION:ACCOUNT:stateMachine:shelcaster-session-lifecycle';
const SESSION_QUEUES = 'arn:aws:sqs:REGION:ACCOUNT:shelcaster-program-commands-*';
const DLQ = 'arn-of:AWS::SQS::Queue:shelcaster-program-commands-dlq.fifo';
const STAGES = 'arn:aws:ivs:REGION:ACCOUNT:stage/*';
const STORAGE = 'arn-of:AWS::IVS::StorageConfiguration:shelcaster-recordings';
const ENCODER = 'arn-of:AWS::IVS::EncoderConfiguration:shelcaster-program';
const SESSIONS_TABLE = 'arn-of:AWS::DynamoDB::Table:shelcaster-sessions';
const IDEMPOTENCY_TABLE = 'arn-of:AWS::DynamoDB::Table:shelcaster-idempotency';
const BUCKET = 'arn-of:AWS::S3::Bucket:shelcaster-media-ACCOUNT-REGION';

let synth: SynthesizedStack;
/** The controller's roles, which StartController passes to ECS (filled from the task definition). */
let passRoles: string[];
let clusterArn: string;

/** The grants each binding must give, outside DynamoDB (checked separately) — written out, not derived. */
function expectedGrants(binding: Binding): string[] {
  const allow = (actions: string[], resources: string[]) =>
    actions.flatMap((a) => resources.map((r) => `Allow ${a} ${r}`));
  switch (binding) {
    case 'sessionsTable':
    case 'idempotencyTable':
    case 'compositionQuota':
      return [];
    case 'mediaBucket':
      return allow(['s3:GetObject'], [`${BUCKET}/media/*`]);
    case 'mediaUploads':
      return allow(['s3:PutObject'], [`${BUCKET}/media/*`]);
    case 'trackMedia':
      return allow(['s3:PutObjectTagging', 's3:DeleteObject'], [`${BUCKET}/media/*`]);
    case 'recordings':
      return [
        ...allow(['s3:GetObject'], [`${BUCKET}/*/composite/*`]),
        ...allow(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], [`${BUCKET}/recordings/*`]),
        ...allow(['s3:ListBucket'], [BUCKET]),
      ];
    case 'stateMachine':
      return [
        ...allow(['states:StartExecution'], [STATE_MACHINE]),
        ...allow(['states:DescribeExecution'], ['arn:aws:states:REGION:ACCOUNT:execution:shelcaster-session-lifecycle:*']),
      ];
    case 'executionHistory':
      return [
        ...allow(['states:GetExecutionHistory'], ['arn:aws:states:REGION:ACCOUNT:execution:shelcaster-session-lifecycle:*']),
        ...allow(['states:SendTaskSuccess', 'states:SendTaskFailure'], [STATE_MACHINE]),
      ];
    case 'controllerTask':
      return [
        ...allow(['ecs:RunTask'], ['arn:aws:ecs:REGION:ACCOUNT:task-definition/shelcaster-program-controller:*']),
        ...allow(['ecs:StopTask', 'ecs:DescribeTasks'], ['arn:aws:ecs:REGION:ACCOUNT:task/shelcaster-cluster/*']),
        ...allow(['ecs:ListTasks'], ['*']),
        ...allow(['iam:PassRole'], passRoles),
      ];
    case 'commandQueues':
      return [
        ...allow(
          [...SESSION_QUEUE_MANAGE_ACTIONS],
          [SESSION_QUEUES],
        ),
        `Deny sqs:DeleteQueue ${DLQ}`,
        `Deny sqs:SetQueueAttributes ${DLQ}`,
      ];
    case 'warmPool':
      return allow(['lambda:InvokeFunction'], ['arn:aws:lambda:REGION:ACCOUNT:function:shelcaster-warm-pool']);
    case 'trackEvents':
      return allow(['events:PutEvents'], ['arn:aws:events:REGION:ACCOUNT:event-bus/default']);
    case 'stages':
      return allow(['ivs:CreateStage', 'ivs:GetStage', 'ivs:DeleteStage', 'ivs:CreateParticipantToken', 'ivs:TagResource'], [STAGES]);
    case 'compositions':
      return [
        ...allow(
          ['ivs:StartComposition', 'ivs:GetComposition', 'ivs:StopComposition', 'ivs:TagResource'],
          ['arn:aws:ivs:REGION:ACCOUNT:composition/*', STAGES, STORAGE, ENCODER],
        ),
        ...allow(['ivs:ListCompositions'], ['*']),
      ];
  }
}

/** The environment value each variable must have (rendered), written out. */
function expectedValue(name: string): unknown {
  const values: Record<string, unknown> = {
    SESSIONS_TABLE_NAME: 'shelcaster-sessions',
    IDEMPOTENCY_TABLE_NAME: 'shelcaster-idempotency',
    MEDIA_BUCKET_NAME: 'shelcaster-media-ACCOUNT-REGION',
    STATE_MACHINE_ARN: STATE_MACHINE,
    CLUSTER_NAME: 'shelcaster-cluster',
    CONTROLLER_ASSIGN_PUBLIC_IP: 'ENABLED',
    COMMAND_DLQ_ARN: DLQ,
    IVS_STORAGE_CONFIGURATION_ARN: STORAGE,
    IVS_ENCODER_CONFIGURATION_ARN: ENCODER,
    WARM_POOL_SIZE: '2',
    WARM_POOL_FUNCTION_NAME: 'shelcaster-warm-pool',
  };
  return values[name];
}

function functionOf(spec: FunctionSpec) {
  return synth.reader.named('AWS::Lambda::Function', FUNCTION_NAMES[spec.role]);
}

function grantsOfFunction(spec: FunctionSpec): Grant[] {
  const [id] = functionOf(spec);
  return synth.reader.grantsOf(synth.reader.roleOf(id));
}

beforeAll(() => {
  synth = synthesizeStack();
  const [taskDefinitionId, taskDefinition] = synth.reader.named('AWS::ECS::TaskDefinition', 'shelcaster-program-controller');
  passRoles = [
    synth.reader.render(taskDefinition.Properties?.TaskRoleArn),
    synth.reader.render(taskDefinition.Properties?.ExecutionRoleArn),
  ];
  expect(taskDefinitionId).toBeTruthy();
  clusterArn = `arn-of:AWS::ECS::Cluster:shelcaster-cluster`;
}, SYNTH_TIMEOUT_MS);

describe.each(FUNCTIONS.map((spec) => [FUNCTION_NAMES[spec.role], spec] as const))('Function %s', (_name, spec) => {
  it('runs Node.js 22 on ARM64 (x86_64 when it ships a native program) with active tracing, its size and timeout', () => {
    const [, fn] = functionOf(spec);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: [spec.bundledBinary ? 'x86_64' : 'arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: spec.memoryMiB,
      Timeout: spec.timeoutSeconds,
      Handler: 'index.handler',
    });
  });

  it('logs JSON into its own log group kept 30 days', () => {
    const [, fn] = functionOf(spec);
    const logging = fn.Properties?.LoggingConfig as { LogFormat: string; LogGroup: unknown };
    expect(logging.LogFormat).toBe('JSON');
    const logGroupName = `/aws/lambda/${FUNCTION_NAMES[spec.role]}`;
    expect(synth.reader.render(logging.LogGroup)).toBe(logGroupName);
    const [, logGroup] = synth.reader.named('AWS::Logs::LogGroup', logGroupName);
    expect(logGroup.Properties?.RetentionInDays).toBe(30);
  });

  it('has exactly the environment variables of its bindings, with their deployment values', () => {
    const [, fn] = functionOf(spec);
    const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const expectedNames = new Set(['POWERTOOLS_SERVICE_NAME', ...spec.bindings.flatMap((b) => BINDING_ENV[b])]);
    expect(Object.keys(variables).sort()).toEqual([...expectedNames].sort());
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe(FUNCTION_NAMES[spec.role]);
    for (const [name, value] of Object.entries(variables)) {
      const expected = expectedValue(name);
      if (expected !== undefined) expect(synth.reader.render(value), name).toBe(expected);
    }
  });

  it('is granted exactly what its bindings need outside DynamoDB', () => {
    const actual = grantsOfFunction(spec)
      .filter((g) => !g.action.startsWith('xray:') && !g.action.startsWith('dynamodb:'))
      .map((g) => `${g.effect} ${g.action} ${g.resource}`);
    const expected = spec.bindings.flatMap((b) => expectedGrants(b));
    expect([...new Set(actual)].sort()).toEqual([...new Set(expected)].sort());
  });

  it('reads and writes only the tables it is bound to', () => {
    const dynamo = grantsOfFunction(spec).filter((g) => g.action.startsWith('dynamodb:'));
    const tables = new Set(dynamo.map((g) => g.resource.replace(/\/index\/\*$/, '')));
    const expected = new Set<string>();
    if (spec.bindings.includes('sessionsTable')) expected.add(SESSIONS_TABLE);
    if (spec.bindings.includes('idempotencyTable')) expected.add(IDEMPOTENCY_TABLE);
    expect([...tables].sort()).toEqual([...expected].sort());
    for (const table of expected) {
      const actions = new Set(dynamo.filter((g) => g.resource === table).map((g) => g.action));
      for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']) {
        expect(actions.has(action), `${action} on ${table}`).toBe(true);
      }
    }
  });
});

describe('Functions of media uploads and recordings', () => {
  const specOf = (role: FunctionSpec['role']) => FUNCTIONS.find((f) => f.role === role)!;
  const s3Grants = (role: FunctionSpec['role']) =>
    grantsOfFunction(specOf(role)).filter((g) => g.action.startsWith('s3:')).map((g) => `${g.action} ${g.resource}`);

  it('lets create-media-upload put objects under media/ only, and read nothing', () => {
    expect(s3Grants('createMediaUpload').sort()).toEqual([`s3:PutObject ${BUCKET}/media/*`]);
  });

  it('lets get-recording read where IVS records and write episodes under recordings/ only', () => {
    const grants = s3Grants('getRecording');
    expect(grants).toContain(`s3:GetObject ${BUCKET}/*/composite/*`);
    expect(grants).toContain(`s3:PutObject ${BUCKET}/recordings/*`);
    expect(grants.filter((g) => g.startsWith('s3:PutObject'))).toEqual([`s3:PutObject ${BUCKET}/recordings/*`]);
    expect(grants.some((g) => g.endsWith('/media/*'))).toBe(false);
  });

  it('routes POST /media and GET /sessions/{sessionId}/recording to them', () => {
    const routes = synth.reader.idsOfType('AWS::ApiGatewayV2::Route').map((id) => synth.reader.resource(id).Properties?.RouteKey);
    expect(routes).toEqual(expect.arrayContaining(['POST /media', 'GET /sessions/{sessionId}/recording']));
  });
});

describe('Function bindings with conditions', () => {
  const startController = FUNCTIONS.find((f) => f.role === 'startController')!;

  it('allows RunTask, StopTask and ListTasks only in the controller cluster', () => {
    const ecs = grantsOfFunction(startController).filter((g) => g.action.startsWith('ecs:'));
    expect(ecs.length).toBeGreaterThan(0);
    for (const grant of ecs) expect(grant.condition).toEqual({ ArnEquals: { 'ecs:cluster': clusterArn } });
  });

  it('passes the controller roles to ECS tasks only', () => {
    const passRole = grantsOfFunction(startController).filter((g) => g.action === 'iam:PassRole');
    for (const grant of passRole) {
      expect(grant.condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    }
  });

  it('points start-controller at the task definition, the public subnets and the controller security group', () => {
    const [, fn] = functionOf(startController);
    const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const [taskDefinitionId] = synth.reader.named('AWS::ECS::TaskDefinition', 'shelcaster-program-controller');
    expect(variables.CONTROLLER_TASK_DEFINITION).toEqual({ Ref: taskDefinitionId });
    const publicSubnets = synth.reader
      .idsOfType('AWS::EC2::Subnet')
      .filter((id) => synth.reader.resource(id).Properties?.MapPublicIpOnLaunch === true);
    expect(publicSubnets).toHaveLength(2);
    expect(synth.reader.render(variables.CONTROLLER_SUBNETS).split(',').sort()).toEqual(publicSubnets.sort());
    const [securityGroupId] = synth.reader.idsOfType('AWS::EC2::SecurityGroup');
    expect(synth.reader.render(variables.CONTROLLER_SECURITY_GROUPS)).toBe(`GroupId-of:AWS::EC2::SecurityGroup:${securityGroupId}`);
  });
});
