/**
 * Bad requests to the local cloud's AWS endpoint get the errors AWS gives — the SDK v3 clients see the same
 * error names, Debian's CLI v2.9 prints the same error codes — and never crash a service: afterwards the local
 * cloud still answers, and no provider failed with an internal error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateParticipantTokenCommand, CreateStageCommand, DeleteStageCommand, GetStageCommand, IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { COMMAND_QUEUE_PREFIX, STATE_MACHINE_NAME } from '#contract/index';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { finishedExecution } from '#harness/system-session';
import { runAws, type CliVersion } from '../local-cloud/gateway/aws-cli.ts';

const ACCOUNT = '000000000000';
const UNKNOWN_EXECUTION = `arn:aws:states:us-east-1:${ACCOUNT}:execution:${STATE_MACHINE_NAME}:no-such-execution`;
const MALFORMED_ARN = 'arn:aws:states:us-east-1:not-an-account:nothing';
const UNKNOWN_STAGE = `arn:aws:ivs:us-east-1:${ACCOUNT}:stage/AbCdEfGhIjKl`;
const GARBAGE_TOKEN = 'not a task token!';

let cloud: RunningLocalCloud;
let config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  cloud = await startLocalCloud();
  config = { endpoint: cloud.awsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
}, 60_000);

/** The error a request fails with (the test fails if it succeeds). */
async function failure(request: Promise<unknown>): Promise<{ name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await request;
  } catch (error) {
    return error as { name: string; $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('the request succeeded, but it should have failed');
}

/** Expects a client error (4xx) with AWS's error name. */
async function expectAwsError(request: Promise<unknown>, name: string): Promise<void> {
  const error = await failure(request);
  expect(error.name).toBe(name);
  expect(error.$metadata?.httpStatusCode).toBeGreaterThanOrEqual(400);
  expect(error.$metadata?.httpStatusCode).toBeLessThan(500);
}

/** Expects the CLI to exit non-zero with AWS's error code in its message. */
async function expectCliError(cli: CliVersion, args: string[], code: string): Promise<void> {
  const result = await runAws(cli, cloud.awsEndpoint, args);
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toContain(`An error occurred (${code})`);
}

describe('Bad requests get the error shapes AWS gives', () => {
  describe('Step Functions', () => {
    it('DescribeExecution of an unknown execution is ExecutionDoesNotExist', async () => {
      await expectAwsError(new SFNClient(config).send(new DescribeExecutionCommand({ executionArn: UNKNOWN_EXECUTION })), 'ExecutionDoesNotExist');
      await expectCliError('v2', ['stepfunctions', 'describe-execution', '--execution-arn', UNKNOWN_EXECUTION], 'ExecutionDoesNotExist');
    });

    it('DescribeExecution of a malformed ARN is InvalidArn', async () => {
      await expectAwsError(new SFNClient(config).send(new DescribeExecutionCommand({ executionArn: MALFORMED_ARN })), 'InvalidArn');
      await expectCliError('v2', ['stepfunctions', 'describe-execution', '--execution-arn', MALFORMED_ARN], 'InvalidArn');
    });

    it('SendTaskSuccess with a garbage token is InvalidToken', async () => {
      await expectAwsError(new SFNClient(config).send(new SendTaskSuccessCommand({ taskToken: GARBAGE_TOKEN, output: '{}' })), 'InvalidToken');
      await expectCliError('v2', ['stepfunctions', 'send-task-success', '--task-token', GARBAGE_TOKEN, '--task-output', '{}'], 'InvalidToken');
    });

    it('SendTaskSuccess with the token of a callback that timed out is TaskTimedOut', async () => {
      const sfn = new SFNClient(config);
      const sqs = new SQSClient(config);
      // IAM is enforced: the machine runs as the session lifecycle's role, on a queue its grant covers.
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `${COMMAND_QUEUE_PREFIX}-error-shapes.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
      );
      const { roleArn } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}` }));
      const definition = {
        StartAt: 'WaitForCallback',
        States: {
          WaitForCallback: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl, MessageGroupId: 'callbacks', MessageBody: { 'token.$': '$$.Task.Token' } },
            TimeoutSeconds: 1,
            End: true,
          },
        },
      };
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({ name: 'error-shapes-timeout', definition: JSON.stringify(definition), roleArn }),
      );
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
      const taskToken = (JSON.parse(received.Messages?.[0]?.Body ?? '{}') as { token?: string }).token;
      expect(taskToken).toEqual(expect.any(String));

      const failed = await finishedExecution(sfn, executionArn!, 15_000, 'the callback to time out');
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toBe('States.Timeout');

      await expectAwsError(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })), 'TaskTimedOut');
      await expectAwsError(sfn.send(new SendTaskHeartbeatCommand({ taskToken })), 'TaskTimedOut');
      await expectCliError('v2', ['stepfunctions', 'send-task-success', '--task-token', taskToken!, '--task-output', '{}'], 'TaskTimedOut');
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    }, 60_000);
  });

  describe('IVS real-time', () => {
    it('GetStage of an unknown stage is ResourceNotFoundException', async () => {
      await expectAwsError(new IVSRealTimeClient(config).send(new GetStageCommand({ arn: UNKNOWN_STAGE })), 'ResourceNotFoundException');
    });

    it('CreateParticipantToken with a duration of 0 is ValidationException', async () => {
      const ivs = new IVSRealTimeClient(config);
      const { stage } = await ivs.send(new CreateStageCommand({ name: 'error-shapes' }));
      await expectAwsError(ivs.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn, duration: 0 })), 'ValidationException');
      // The same request with a valid duration succeeds: it was the duration that was refused.
      const { participantToken } = await ivs.send(new CreateParticipantTokenCommand({ stageArn: stage!.arn, duration: 1 }));
      expect(participantToken?.participantId).toEqual(expect.any(String));
      await ivs.send(new DeleteStageCommand({ arn: stage!.arn }));
    });
  });

  it('ECS DescribeTasks on an unknown cluster is ClusterNotFoundException', async () => {
    const task = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/no-such-cluster/0123456789abcdef`;
    await expectAwsError(new ECSClient(config).send(new DescribeTasksCommand({ cluster: 'no-such-cluster', tasks: [task] })), 'ClusterNotFoundException');
    await expectCliError('v2', ['ecs', 'describe-tasks', '--cluster', 'no-such-cluster', '--tasks', task], 'ClusterNotFoundException');
  });

  it('SQS GetQueueUrl of an unknown queue is QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue on the wire)', async () => {
    await expectAwsError(new SQSClient(config).send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })), 'QueueDoesNotExist');
    // CLI v1 speaks SQS's JSON protocol, CLI v2.9 its query protocol: both report the query error code.
    for (const cli of ['v1', 'v2'] as const) {
      await expectCliError(cli, ['sqs', 'get-queue-url', '--queue-name', 'no-such-queue'], 'AWS.SimpleQueueService.NonExistentQueue');
    }
  });

  it('Logs GetLogEvents of an unknown group is ResourceNotFoundException', async () => {
    const request = new GetLogEventsCommand({ logGroupName: '/no/such/group', logStreamName: 'nothing' });
    await expectAwsError(new CloudWatchLogsClient(config).send(request), 'ResourceNotFoundException');
    await expectCliError('v2', ['logs', 'get-log-events', '--log-group-name', '/no/such/group', '--log-stream-name', 'nothing'], 'ResourceNotFoundException');
  });

  it('DynamoDB GetItem on an unknown table is ResourceNotFoundException', async () => {
    const request = new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } });
    await expectAwsError(new DynamoDBClient(config).send(request), 'ResourceNotFoundException');
    await expectCliError('v2', ['dynamodb', 'get-item', '--table-name', 'no-such-table', '--key', '{"pk":{"S":"x"}}'], 'ResourceNotFoundException');
  });

  it('leaves the local cloud answering, with no internal failure of any service', async () => {
    expect(cloud.process.exitCode).toBeNull();
    const machines = await new SFNClient(config).send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((m) => m.name)).toContain(STATE_MACHINE_NAME);
    const health = await fetch(`${cloud.apiUrl}/.well-known/jwks.json`);
    expect(health.status).toBe(200);
    expect(cloud.output()).not.toMatch(/\[aws\] .* failed/);
    expect(cloud.output()).not.toContain('InternalFailure');
  });
});
