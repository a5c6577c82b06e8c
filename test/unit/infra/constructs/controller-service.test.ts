import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';
import { CONTROLLER_SESSIONS_TABLE_ACTIONS } from '#infra/constructs/controller-service';
import { SESSION_QUEUE_CONSUME_ACTIONS } from '#infra/constructs/command-queues';

interface ContainerDefinition {
  Name: string;
  StopTimeout: number;
  LinuxParameters?: { InitProcessEnabled?: boolean };
  Essential: boolean;
  Environment: { Name: string; Value: unknown }[];
  LogConfiguration: { LogDriver: string; Options: Record<string, unknown> };
}

let synth: SynthesizedStack;
let taskDefinition: Record<string, unknown>;
let container: ContainerDefinition;

beforeAll(() => {
  synth = synthesizeStack();
  taskDefinition = synth.reader.named('AWS::ECS::TaskDefinition', 'shelcaster-program-controller')[1].Properties ?? {};
  container = (taskDefinition.ContainerDefinitions as ContainerDefinition[])[0]!;
}, SYNTH_TIMEOUT_MS);

describe('ControllerService', () => {
  it('defines the Fargate task shelcaster-program-controller with 512 CPU and 1024 MiB on X86_64 Linux', () => {
    expect(taskDefinition).toMatchObject({
      Family: 'shelcaster-program-controller',
      Cpu: '512',
      Memory: '1024',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
  });

  it('runs the one essential container program-controller with a 10 s stop timeout', () => {
    expect(taskDefinition.ContainerDefinitions).toHaveLength(1);
    expect(container).toMatchObject({ Name: 'program-controller', Essential: true, StopTimeout: 10 });
  });

  it("runs ECS's init process as the container's PID 1 (signals passed on, Chromium's orphans reaped)", () => {
    expect(container.LinuxParameters).toMatchObject({ InitProcessEnabled: true });
  });

  it('logs through awslogs to /ecs/shelcaster-program-controller under the controller prefix, kept 30 days', () => {
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(synth.reader.render(container.LogConfiguration.Options['awslogs-group'])).toBe('/ecs/shelcaster-program-controller');
    expect(container.LogConfiguration.Options['awslogs-stream-prefix']).toBe('controller');
    const [, logGroup] = synth.reader.named('AWS::Logs::LogGroup', '/ecs/shelcaster-program-controller');
    expect(logGroup.Properties?.RetentionInDays).toBe(30);
  });

  it('gives the container the table and the bucket (the same on AWS and locally)', () => {
    const environment = Object.fromEntries(container.Environment.map((e) => [e.Name, synth.reader.render(e.Value)]));
    expect(environment).toEqual({
      SESSIONS_TABLE_NAME: 'shelcaster-sessions',
      MEDIA_BUCKET_NAME: 'shelcaster-media-ACCOUNT-REGION',
    });
  });

  it('runs in the cluster shelcaster-cluster with container insights', () => {
    const [clusterId, cluster] = synth.reader.named('AWS::ECS::Cluster', 'shelcaster-cluster');
    expect(cluster.Properties?.ClusterSettings).toEqual([{ Name: 'containerInsights', Value: 'enabled' }]);
    expect(synth.template.Outputs?.ClusterName?.Value).toEqual({ Ref: clusterId });
  });

  it('uses a VPC of public subnets without NAT gateways', () => {
    expect(synth.reader.idsOfType('AWS::EC2::NatGateway')).toEqual([]);
    const subnets = synth.reader.idsOfType('AWS::EC2::Subnet').map((id) => synth.reader.resource(id).Properties);
    expect(subnets.length).toBeGreaterThan(0);
    for (const subnet of subnets) expect(subnet?.MapPublicIpOnLaunch).toBe(true);
  });

  it('has a security group without ingress', () => {
    for (const id of synth.reader.idsOfType('AWS::EC2::SecurityGroup')) {
      expect(synth.reader.resource(id).Properties?.SecurityGroupIngress).toBeUndefined();
    }
    expect(synth.reader.idsOfType('AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  it('lets the task role do exactly what the controller calls', () => {
    const taskRole = synth.reader.roleOf(synth.reader.named('AWS::ECS::TaskDefinition', 'shelcaster-program-controller')[0], 'TaskRoleArn');
    const grants = synth.reader.grantsOf(taskRole).map((g) => `${g.effect} ${g.action} ${g.resource}`);
    const queues = 'arn:aws:sqs:REGION:ACCOUNT:shelcaster-program-commands-*';
    const stateMachine = 'arn:aws:states:REGION:ACCOUNT:stateMachine:shelcaster-session-lifecycle';
    const expectedOutsideDynamo = [
      'Allow ivs:CreateParticipantToken arn:aws:ivs:REGION:ACCOUNT:stage/*',
      ...SESSION_QUEUE_CONSUME_ACTIONS.map((a) => `Allow ${a} ${queues}`),
      ...SESSION_QUEUE_CONSUME_ACTIONS.map((a) => `Deny ${a} arn-of:AWS::SQS::Queue:shelcaster-program-commands-dlq.fifo`),
      ...['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'].map((a) => `Allow ${a} ${stateMachine}`),
      'Allow s3:GetObject arn-of:AWS::S3::Bucket:shelcaster-media-ACCOUNT-REGION/media/*',
    ];
    expect(grants.filter((g) => !g.includes(' dynamodb:')).sort()).toEqual(expectedOutsideDynamo.sort());
    const dynamo = grants.filter((g) => g.includes(' dynamodb:'));
    expect(dynamo.sort()).toEqual(CONTROLLER_SESSIONS_TABLE_ACTIONS.map((a) => `Allow ${a} arn-of:AWS::DynamoDB::Table:shelcaster-sessions`).sort());
  });

  it('builds its image from controller/dist (the bundle and its run-time manifest) with its Dockerfile, for linux/amd64', () => {
    const image = synth.reader.render((taskDefinition.ContainerDefinitions as { Image: unknown }[])[0]!.Image);
    const tag = /^ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com\/cdk-[a-z0-9]+-container-assets-ACCOUNT-REGION:([0-9a-f]{64})$/.exec(image)?.[1];
    expect(tag).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(synth.assemblyDir, 'Shelcaster.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string; platform?: string } }>;
    };
    const asset = manifest.dockerImages[tag!];
    expect(asset?.source).toMatchObject({ platform: 'linux/amd64' });
    const staged = join(synth.assemblyDir, asset!.source.directory);
    for (const file of ['Dockerfile', 'main.js', 'package.json', 'package-lock.json', 'page/index.html']) expect(existsSync(join(staged, file))).toBe(true);
    for (const absent of ['contract', 'node_modules', 'controller', 'local-cloud']) expect(existsSync(join(staged, absent))).toBe(false);
  });
});
