/**
 * Where the program controller runs: a VPC with public subnets only (no NAT: tasks get a public IP), the ECS
 * cluster, the Fargate task definition of the controller with its log group, its task role, and a security
 * group without ingress. Tasks are started per session by StartController (RunTask), not by a service.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateTaskDefinition,
  LinuxParameters,
  LogDrivers,
  OperatingSystemFamily,
  type ContainerDefinition,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { LOG_RETENTION } from '../log-retention.ts';
import { Construct } from 'constructs';
import {
  CLUSTER_NAME,
  CONTROLLER_CONTAINER_NAME,
  CONTROLLER_LINUX_PARAMETERS,
  CONTROLLER_LOG_GROUP,
  CONTROLLER_LOG_STREAM_PREFIX,
  CONTROLLER_STOP_TIMEOUT_SECONDS,
  CONTROLLER_TASK_FAMILY,
  CONTROLLER_TASK_SIZE,
  controllerContainerEnvironment,
  ENV,
} from '#contract/index';
import { ivsResourcesArn, stateMachineArn } from '../arns.ts';
import type { CommandQueues } from './command-queues.ts';
import type { MediaBucket } from './media-bucket.ts';
import type { SessionsTable } from './sessions-table.ts';

/**
 * The controller image's build context, relative to the repository root: the bundle, page, run-time package
 * manifest and lockfile, and the Dockerfile that scripts/build-controller.mjs writes there (`npm run synth`
 * and `npm run build:controller` make it).
 */
export const CONTROLLER_IMAGE_CONTEXT = 'controller/dist';

/** The controller image's build context, made before synthesis, or an error saying how to make it. */
export function controllerImageContext(root: string): string {
  const context = join(root, CONTROLLER_IMAGE_CONTEXT);
  if (!existsSync(join(context, 'Dockerfile')) || !existsSync(join(context, 'main.js'))) {
    throw new Error(`The controller image's build context (${CONTROLLER_IMAGE_CONTEXT}) is missing: run \`npm run build:controller\` first.`);
  }
  return context;
}

export interface ControllerServiceProps {
  /** Absolute path of the repository root (the Docker build context). */
  root: string;
  sessions: SessionsTable;
  media: MediaBucket;
  queues: CommandQueues;
}

/**
 * What the controller calls on the sessions table: reads of its session and commands, conditional updates, the
 * query of a host's tracks (controller/state/session-store.ts), and the as-run log's new entries
 * (controller/show/as-run-recorder.ts puts one item per entry). Nothing else: no Delete, Scan or batch.
 */
export const CONTROLLER_SESSIONS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:PutItem'] as const;

/** What RunTask needs to start a controller: the values StartController's environment carries. */
export interface ControllerTaskTarget {
  clusterName: string;
  clusterArn: string;
  taskDefinitionArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** Roles the caller of RunTask passes to ECS. */
  passRoles: IRole[];
}

export class ControllerService extends Construct {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly container: ContainerDefinition;
  readonly taskRole: Role;
  readonly executionRole: IRole;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ControllerServiceProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    this.cluster = new Cluster(this, 'Cluster', {
      clusterName: CLUSTER_NAME,
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Program controller tasks: no ingress; egress to IVS, SQS, Step Functions, DynamoDB, S3 and media hosts.',
      allowAllOutbound: true,
    });
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: CONTROLLER_LOG_GROUP,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'The program controller: its participant token, its session queue, its callbacks, its session record.',
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      family: CONTROLLER_TASK_FAMILY,
      cpu: CONTROLLER_TASK_SIZE.cpu,
      memoryLimitMiB: CONTROLLER_TASK_SIZE.memoryMiB,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
    });
    this.container = this.taskDefinition.addContainer('Controller', {
      containerName: CONTROLLER_CONTAINER_NAME,
      image: ContainerImage.fromAsset(controllerImageContext(props.root), { platform: Platform.LINUX_AMD64 }),
      essential: true,
      stopTimeout: Duration.seconds(CONTROLLER_STOP_TIMEOUT_SECONDS),
      linuxParameters: new LinuxParameters(this, 'ControllerLinuxParameters', { ...CONTROLLER_LINUX_PARAMETERS }),
      environment: controllerContainerEnvironment({ [ENV.sessionsTable]: props.sessions.table.tableName, [ENV.mediaBucket]: props.media.bucket.bucketName }),
      logging: LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: CONTROLLER_LOG_STREAM_PREFIX }),
    });
    this.executionRole = this.taskDefinition.obtainExecutionRole();
    this.grantTaskRole(props);
  }

  /** What StartController, ControllerLost and Teardown need to run and stop controller tasks. */
  get target(): ControllerTaskTarget {
    return {
      clusterName: this.cluster.clusterName,
      clusterArn: this.cluster.clusterArn,
      taskDefinitionArn: this.taskDefinition.taskDefinitionArn,
      subnetIds: this.vpc.publicSubnets.map((s) => s.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
      passRoles: [this.taskRole, this.executionRole],
    };
  }

  /** The controller's own permissions: exactly what it calls. */
  private grantTaskRole(props: ControllerServiceProps): void {
    this.taskRole.addToPolicy(
      new PolicyStatement({ actions: ['ivs:CreateParticipantToken'], resources: [ivsResourcesArn(this, 'stage')] }),
    );
    props.queues.grantConsumeSessionQueues(this.taskRole);
    this.taskRole.addToPolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [stateMachineArn(this)],
      }),
    );
    this.taskRole.addToPolicy(new PolicyStatement({ actions: [...CONTROLLER_SESSIONS_TABLE_ACTIONS], resources: [props.sessions.table.tableArn] }));
    props.media.grantReadMedia(this.taskRole);
  }
}
