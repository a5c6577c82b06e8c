/**
 * The command queues: the shared FIFO dead-letter queue, and the grants on the per-session FIFO queues
 * (`shelcaster-program-commands-<sessionId>.fifo`), which CreateStage creates and Teardown deletes at runtime.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { COMMAND_DLQ_NAME, DLQ_RETENTION_SECONDS } from '#contract/index';
import { sessionQueuesArn } from '../arns.ts';

/** What the functions that manage session queues may do on them. */
export const SESSION_QUEUE_MANAGE_ACTIONS = [
  'sqs:CreateQueue',
  'sqs:DeleteQueue',
  'sqs:SendMessage',
  'sqs:GetQueueAttributes',
  'sqs:SetQueueAttributes',
  'sqs:TagQueue',
  'sqs:GetQueueUrl',
] as const;

/** What the controller may do on its session queue. */
export const SESSION_QUEUE_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

export class CommandQueues extends Construct {
  readonly deadLetterQueue: Queue;
  /** ARN pattern of every session queue. */
  readonly sessionQueuesArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: COMMAND_DLQ_NAME,
      fifo: true,
      retentionPeriod: Duration.seconds(DLQ_RETENTION_SECONDS),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.sessionQueuesArn = sessionQueuesArn(this);
  }

  /** Lets the grantee create, tag, configure, send to and delete session queues — but never the DLQ itself. */
  grantManageSessionQueues(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...SESSION_QUEUE_MANAGE_ACTIONS], resources: [this.sessionQueuesArn] }),
    );
    // The DLQ's name shares the session queues' prefix; keep it out of reach of DeleteQueue and SetQueueAttributes.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['sqs:DeleteQueue', 'sqs:SetQueueAttributes'],
        resources: [this.deadLetterQueue.queueArn],
      }),
    );
  }

  /** Lets the grantee (the controller) receive and acknowledge messages on session queues. */
  grantConsumeSessionQueues(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...SESSION_QUEUE_CONSUME_ACTIONS], resources: [this.sessionQueuesArn] }),
    );
    // The session queues' wildcard also names the dead-letter queue: a consumer never reads it.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.DENY, actions: [...SESSION_QUEUE_CONSUME_ACTIONS], resources: [this.deadLetterQueue.queueArn] }),
    );
  }

  /** Lets the grantee (the state machine) send callback messages to session queues. */
  grantSendToSessionQueues(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.sessionQueuesArn] }),
    );
  }
}
