/**
 * The house Lambda function: Node.js 22 on ARM64, X-Ray tracing, JSON logs into its own log group with the
 * system's retention, an ESM bundle. A `bindX()` method per contract Binding sets exactly that binding's
 * environment variables (BINDING_ENV) and grants the IAM it needs, in one call.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  BINDING_ENV,
  ENV,
  FUNCTION_NAMES,
  IVS_COMPOSITION_QUOTA,
  LAMBDA_BUNDLING,
  LAMBDA_LOG_FORMAT,
  TRACK_EVENT_SOURCE,
  type Binding,
  type BundledBinary,
  type BundledDirectory,
  type FunctionSpec,
} from '#contract/index';
import { LOG_RETENTION } from '../log-retention.ts';
import { executionsArn, clusterTasksArn, controllerTaskDefinitionsArn, defaultEventBusArn, functionArn, ivsResourcesArn, stateMachineArn } from '../arns.ts';
import type { CommandQueues } from './command-queues.ts';
import type { ControllerTaskTarget } from './controller-service.ts';
import type { IdempotencyTable } from './idempotency-table.ts';
import type { IvsRecording } from './ivs-recording.ts';
import type { MediaBucket } from './media-bucket.ts';
import type { SessionsTable } from './sessions-table.ts';

/** The NodejsFunction bundling of the contract's LAMBDA_BUNDLING (the local cloud builds with the same settings). */
export const CDK_BUNDLING = {
  format: LAMBDA_BUNDLING.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
  target: LAMBDA_BUNDLING.target,
  mainFields: [...LAMBDA_BUNDLING.mainFields],
  banner: LAMBDA_BUNDLING.banner,
  minify: LAMBDA_BUNDLING.minify,
  externalModules: [...LAMBDA_BUNDLING.externalModules],
};

/** The CloudWatch log format of the contract's LAMBDA_LOG_FORMAT. */
export const CDK_LOGGING_FORMAT = LAMBDA_LOG_FORMAT === 'JSON' ? LoggingFormat.JSON : LoggingFormat.TEXT;

/** Bundling hooks that build a folder of the repository and copy it into the bundle (the console's files). */
export function bundledDirectoryHooks(directory: BundledDirectory): ICommandHooks {
  return {
    beforeBundling: (inputDir: string) => [`cd "${inputDir}" && ${directory.buildCommand}`],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `test -f "${join(inputDir, directory.from, 'index.html')}" || { echo "${directory.from} is not built" >&2; exit 1; }`,
      `cp -R "${join(inputDir, directory.from)}" "${join(outputDir, directory.to)}"`,
    ],
  };
}

/** Bundling hooks that copy a native program of node_modules next to the bundle's handler (ffmpeg). */
export function bundledBinaryHooks(binary: BundledBinary): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => {
      const from = join(inputDir, 'node_modules', binary.from);
      return [
        `test -x "${from}" || { echo "${binary.from} is not installed: bundle on linux-x64 (npm ci installs it there)" >&2; exit 1; }`,
        `cp "${from}" "${join(outputDir, binary.name)}"`,
      ];
    },
  };
}

/** Thrown when a bind method would set other variables than its binding declares. */
export class BindingEnvironmentError extends Error {
  constructor(binding: Binding, names: readonly string[]) {
    super(`Binding ${binding} must set exactly ${BINDING_ENV[binding].join(', ') || 'nothing'}, not ${names.join(', ')}`);
    this.name = 'BindingEnvironmentError';
  }
}

export interface ShelcasterFunctionProps {
  spec: FunctionSpec;
  /** Absolute path of the repository root: entries are relative to it, and it holds package-lock.json. */
  root: string;
}

export class ShelcasterFunction extends NodejsFunction {
  readonly spec: FunctionSpec;

  constructor(scope: Construct, id: string, props: ShelcasterFunctionProps) {
    const functionName = FUNCTION_NAMES[props.spec.role];
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      functionName,
      entry: join(props.root, props.spec.entry),
      handler: 'handler',
      projectRoot: props.root,
      depsLockFilePath: join(props.root, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      // A function that ships a native program runs on that program's architecture.
      architecture: props.spec.bundledBinary ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: props.spec.memoryMiB,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      loggingFormat: CDK_LOGGING_FORMAT,
      logGroup,
      environment: { [ENV.powertoolsServiceName]: functionName },
      bundling: {
        ...CDK_BUNDLING,
        ...(props.spec.bundledDirectory ? { commandHooks: bundledDirectoryHooks(props.spec.bundledDirectory) } : {}),
        ...(props.spec.bundledBinary ? { commandHooks: bundledBinaryHooks(props.spec.bundledBinary) } : {}),
      },
    });
    this.spec = props.spec;
  }

  /** Sessions table: its name; read/write on the table and its indexes. */
  bindSessionsTable(sessions: SessionsTable): this {
    this.setBindingEnv('sessionsTable', { [ENV.sessionsTable]: sessions.table.tableName });
    sessions.table.grantReadWriteData(this);
    return this;
  }

  /** Powertools idempotency table: its name; read/write. */
  bindIdempotencyTable(idempotency: IdempotencyTable): this {
    this.setBindingEnv('idempotencyTable', { [ENV.idempotencyTable]: idempotency.table.tableName });
    idempotency.table.grantReadWriteData(this);
    return this;
  }

  /** Media bucket: its name; GetObject on uploaded programs. */
  bindMediaBucket(media: MediaBucket): this {
    this.setBindingEnv('mediaBucket', { [ENV.mediaBucket]: media.bucket.bucketName });
    media.grantReadMedia(this);
    return this;
  }

  /** Media uploads: the bucket's name; PutObject under `media/` (to presign the console's uploads). */
  bindMediaUploads(media: MediaBucket): this {
    this.setBindingEnv('mediaUploads', { [ENV.mediaBucket]: media.bucket.bucketName });
    media.grantWriteMedia(this);
    return this;
  }

  /** Tracks' uploads: the bucket's name; PutObjectTagging and DeleteObject under `media/`. */
  bindTrackMedia(media: MediaBucket): this {
    this.setBindingEnv('trackMedia', { [ENV.mediaBucket]: media.bucket.bucketName });
    media.grantTrackMedia(this);
    return this;
  }

  /** Recordings: the bucket's name; read composite recordings, read and write episodes under `recordings/`. */
  bindRecordings(media: MediaBucket): this {
    this.setBindingEnv('recordings', { [ENV.mediaBucket]: media.bucket.bucketName });
    media.grantRecordings(this);
    return this;
  }

  /** The state machine: its ARN; StartExecution, and DescribeExecution (is an unfinished start's execution there?). */
  bindStateMachine(): this {
    const arn = stateMachineArn(this);
    this.setBindingEnv('stateMachine', { [ENV.stateMachineArn]: arn });
    this.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }));
    this.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsArn(this)] }));
    return this;
  }

  /** An execution's open callback: the state machine ARN; GetExecutionHistory, and answering its task tokens. */
  bindExecutionHistory(): this {
    const arn = stateMachineArn(this);
    this.setBindingEnv('executionHistory', { [ENV.stateMachineArn]: arn });
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['states:GetExecutionHistory'], resources: [executionsArn(this)] }),
    );
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [arn] }),
    );
    return this;
  }

  /** Controller tasks: cluster, task definition and network; RunTask/StopTask/DescribeTasks/ListTasks and PassRole. */
  bindControllerTask(target: ControllerTaskTarget): this {
    this.setBindingEnv('controllerTask', {
      [ENV.clusterName]: target.clusterName,
      [ENV.taskDefinition]: target.taskDefinitionArn,
      [ENV.subnets]: target.subnetIds.join(','),
      [ENV.securityGroups]: target.securityGroupIds.join(','),
      // Public subnets without NAT: a task needs a public IP to reach IVS and the AWS APIs.
      [ENV.assignPublicIp]: 'ENABLED',
    });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [controllerTaskDefinitionsArn(this)],
        conditions: { ArnEquals: { 'ecs:cluster': target.clusterArn } },
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [clusterTasksArn(this)],
        conditions: { ArnEquals: { 'ecs:cluster': target.clusterArn } },
      }),
    );
    // ListTasks names no task (its resource is the container instance, `*` on Fargate): limited to the cluster.
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': target.clusterArn } },
      }),
    );
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: target.passRoles.map((r) => r.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    return this;
  }

  /** Session command queues: the DLQ's ARN (for the redrive policy); create/send/delete session queues. */
  bindCommandQueues(queues: CommandQueues): this {
    this.setBindingEnv('commandQueues', { [ENV.dlqArn]: queues.deadLetterQueue.queueArn });
    queues.grantManageSessionQueues(this);
    return this;
  }

  /** Track events: no variables; PutEvents of the system's track events (source TRACK_EVENT_SOURCE) on the default bus. */
  bindTrackEvents(): this {
    this.setBindingEnv('trackEvents', {});
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [defaultEventBusArn(this)],
        conditions: { StringEquals: { 'events:source': TRACK_EVENT_SOURCE } },
      }),
    );
    return this;
  }

  /** IVS stages: no variables; create, read, tag and delete stages, and create participant tokens on them. */
  bindStages(): this {
    this.setBindingEnv('stages', {});
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ivs:CreateStage', 'ivs:GetStage', 'ivs:DeleteStage', 'ivs:CreateParticipantToken', 'ivs:TagResource'],
        resources: [ivsResourcesArn(this, 'stage')],
      }),
    );
    return this;
  }

  /** IVS compositions: the storage and encoder configuration ARNs; start, read, list and stop compositions. */
  bindCompositions(recording: IvsRecording): this {
    this.setBindingEnv('compositions', {
      [ENV.storageConfigurationArn]: recording.storageConfigurationArn,
      [ENV.encoderConfigurationArn]: recording.encoderConfigurationArn,
    });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ivs:StartComposition', 'ivs:GetComposition', 'ivs:StopComposition', 'ivs:TagResource'],
        resources: [
          ivsResourcesArn(this, 'composition'),
          ivsResourcesArn(this, 'stage'),
          recording.storageConfigurationArn,
          recording.encoderConfigurationArn,
        ],
      }),
    );
    // ListCompositions has no resource-level permissions.
    this.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['ivs:ListCompositions'], resources: ['*'] }));
    return this;
  }

  /** The account's IVS composition quota (the contract's IVS_COMPOSITION_QUOTA): no grants. */
  bindCompositionQuota(): this {
    this.setBindingEnv('compositionQuota', { [ENV.compositionQuota]: String(IVS_COMPOSITION_QUOTA) });
    return this;
  }

  /** The warm pool: its size (the deployment's setting) and its function, invoked asynchronously to refill it. */
  bindWarmPool(size: number): this {
    this.setBindingEnv('warmPool', { [ENV.warmPoolSize]: String(size), [ENV.warmPoolFunction]: FUNCTION_NAMES.warmPool });
    this.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functionArn(this, 'warmPool')] }));
    return this;
  }

  /** Sets a binding's variables, refusing any other set of names than BINDING_ENV declares for it. */
  private setBindingEnv(binding: Binding, values: Record<string, string>): void {
    const names = Object.keys(values);
    const expected = BINDING_ENV[binding];
    if (names.length !== expected.length || !expected.every((n) => names.includes(n))) {
      throw new BindingEnvironmentError(binding, names);
    }
    for (const [name, value] of Object.entries(values)) this.addEnvironment(name, value);
  }
}
