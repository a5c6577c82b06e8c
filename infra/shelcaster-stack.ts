/**
 * The Shelcaster stack: one construct per concern, wired together. Environment-agnostic (account and region
 * come from the credentials at deploy time), so `cdk synth` needs no credentials and no lookups.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CommandQueues } from './constructs/command-queues.ts';
import { ControllerService } from './constructs/controller-service.ts';
import { ControllerStoppedRule } from './constructs/controller-stopped-rule.ts';
import { Functions } from './constructs/functions.ts';
import { HttpApi } from './constructs/http-api.ts';
import { IdempotencyTable } from './constructs/idempotency-table.ts';
import { IvsRecording } from './constructs/ivs-recording.ts';
import { MediaBucket } from './constructs/media-bucket.ts';
import { SessionLifecycle } from './constructs/session-lifecycle.ts';
import { TrackCreatedRule } from './constructs/track-created-rule.ts';
import { WarmPool } from './constructs/warm-pool.ts';
import { SessionsTable } from './constructs/sessions-table.ts';
import type { DeploySettings } from './deploy-settings.ts';

/** The stack's name in the cloud assembly and in CloudFormation. */
export const STACK_NAME = 'Shelcaster';

export interface ShelcasterStackProps extends StackProps {
  /** Absolute path of the repository root (function entries, lock file, controller build context). */
  root: string;
  settings: DeploySettings;
}

export class ShelcasterStack extends Stack {
  readonly sessions: SessionsTable;
  readonly idempotency: IdempotencyTable;
  readonly media: MediaBucket;
  readonly queues: CommandQueues;
  readonly controller: ControllerService;
  readonly recording: IvsRecording;
  readonly functions: Functions;
  readonly lifecycle: SessionLifecycle;
  readonly controllerStopped: ControllerStoppedRule;
  readonly trackCreated: TrackCreatedRule;
  readonly warmPool: WarmPool;
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ShelcasterStackProps) {
    super(scope, id, props);
    const { root, settings } = props;
    this.sessions = new SessionsTable(this, 'Sessions');
    this.idempotency = new IdempotencyTable(this, 'Idempotency');
    this.media = new MediaBucket(this, 'Media', { allowedOrigins: settings.allowedOrigins });
    this.queues = new CommandQueues(this, 'CommandQueues');
    this.controller = new ControllerService(this, 'Controller', {
      root,
      sessions: this.sessions,
      media: this.media,
      queues: this.queues,
    });
    this.recording = new IvsRecording(this, 'Recording', { bucket: this.media.bucket });
    this.functions = new Functions(this, 'Functions', {
      root,
      sessions: this.sessions,
      idempotency: this.idempotency,
      media: this.media,
      queues: this.queues,
      controller: this.controller.target,
      recording: this.recording,
      warmPoolSize: settings.warmPoolSize,
    });
    this.lifecycle = new SessionLifecycle(this, 'Lifecycle', { functions: this.functions.byRole, queues: this.queues });
    this.controllerStopped = new ControllerStoppedRule(this, 'ControllerStopped', {
      clusterArn: this.controller.cluster.clusterArn,
      target: this.functions.byRole.controllerStopped,
    });
    this.trackCreated = new TrackCreatedRule(this, 'TrackCreated', { target: this.functions.byRole.measureTrack });
    this.warmPool = new WarmPool(this, 'WarmPool', { target: this.functions.byRole.warmPool, size: settings.warmPoolSize });
    this.httpApi = new HttpApi(this, 'Http', {
      functions: this.functions.byRole,
      jwt: settings.jwt,
      allowedOrigins: settings.allowedOrigins,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'StateMachineArn', { value: this.lifecycle.stateMachine.stateMachineArn });
    new CfnOutput(this, 'MediaBucketName', { value: this.media.bucket.bucketName });
    new CfnOutput(this, 'ClusterName', { value: this.controller.cluster.clusterName });
  }
}
