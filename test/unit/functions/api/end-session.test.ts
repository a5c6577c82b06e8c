import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetExecutionHistoryCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  TaskTimedOut,
  type GetExecutionHistoryCommandOutput,
} from '@aws-sdk/client-sfn';
import { handler } from '../../../../functions/api/end-session.ts';
import { endSession } from '#commons/actions/end-session';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import onAirHistory from '../../../fixtures/events/execution-history-on-air.json' with { type: 'json' };
import readyHistory from '../../../fixtures/events/execution-history-waiting-for-ready.json' with { type: 'json' };
import lambdaRunningHistory from '../../../fixtures/events/execution-history-lambda-running.json' with { type: 'json' };
import { captureLogs } from '../support/log-capture.ts';
import { EXECUTION_ARN, HOST_ID, OTHER_HOST_ID, SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const history = (fixture: unknown) => fixture as GetExecutionHistoryCommandOutput;
const tokenIn = (fixture: unknown): string => {
  const scheduled = history(fixture).events?.find((e) => e.type === 'TaskScheduled');
  const params = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}') as { MessageBody: unknown };
  const body = (typeof params.MessageBody === 'string' ? JSON.parse(params.MessageBody) : params.MessageBody) as { taskToken: string };
  return body.taskToken;
};

const end = (sub?: string) =>
  handler(httpApiEvent({ method: 'DELETE', route: '/sessions/{sessionId}', pathParameters: { sessionId: SESSION_ID }, sub }), lambdaContext);

beforeEach(() => {
  documents.reset();
  sfn.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem() });
  documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ status: 'ENDING', endRequested: true }) });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

describe('Function: end-session', () => {
  it('marks the session ENDING with endRequested, only from STARTING, LIVE or ENDING', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(onAirHistory));

    const response = await end();

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '{}')).toEqual({ sessionId: SESSION_ID, status: 'ENDING' });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      Key: { pk: `SESSION#${SESSION_ID}`, sk: 'SESSION' },
      ConditionExpression: 'attribute_exists(pk) AND #status IN (:s0, :s1, :s2)',
      ExpressionAttributeValues: expect.objectContaining({ ':f0': 'ENDING', ':f1': true, ':s0': 'STARTING', ':s1': 'LIVE', ':s2': 'ENDING' }),
    });
  });

  it('ends OnAir with SendTaskSuccess ENDED_BY_HOST using the token found in the execution history', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(onAirHistory));

    await end();

    expect(sfn).toReceiveCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION_ARN, reverseOrder: true });
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, { taskToken: tokenIn(onAirHistory), output: '{"reason":"ENDED_BY_HOST"}' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  it('fails a wait for readiness with Shelcaster.SessionEnded (MessageBody recorded as a JSON string)', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(readyHistory));

    await end();

    expect(sfn).toReceiveCommandWith(SendTaskFailureCommand, { taskToken: tokenIn(readyHistory), error: 'Shelcaster.SessionEnded' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('never puts the task token in the response or the logs', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(onAirHistory));
    const logs = captureLogs();
    try {
      const response = await end();
      expect(response.body).not.toContain(tokenIn(onAirHistory));
      expect(logs.text()).toContain(SESSION_ID);
      expect(logs.text()).not.toContain(tokenIn(onAirHistory));
    } finally {
      logs.restore();
    }
  });

  it('answers 404 to someone else and changes nothing', async () => {
    const response = await end(OTHER_HOST_ID);

    expect(response.statusCode).toBe(404);
    expect(documents).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('answers 409 SESSION_NOT_ACTIVE for a session that already ended', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'ENDED' }) });
    documents.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    const response = await end();

    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'SESSION_NOT_ACTIVE' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('refuses a bad session id with 400 before reading anything', async () => {
    const response = await handler(
      httpApiEvent({ method: 'DELETE', route: '/sessions/{sessionId}', pathParameters: { sessionId: 'x' } }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(400);
    expect(documents).not.toHaveReceivedAnyCommand();
  });
});

describe('Action: endSession', () => {
  it('looks at the history again while a Lambda step runs, and answers the callback once it opens', async () => {
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce(history(lambdaRunningHistory))
      .resolvesOnce(history(lambdaRunningHistory))
      .resolves(history(onAirHistory));
    const pauses: number[] = [];

    await endSession(SESSION_ID, HOST_ID, { attempts: 5, delayMs: 250, sleep: async (ms) => void pauses.push(ms) });

    expect(pauses).toEqual([250, 250]);
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 3);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('gives up after its attempts when no callback opens (the steps check endRequested)', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves(history(lambdaRunningHistory));

    const result = await endSession(SESSION_ID, HOST_ID, { attempts: 3, delayMs: 1, sleep: async () => undefined });

    expect(result).toEqual({ sessionId: SESSION_ID, status: 'ENDING' });
    expect(sfn).toHaveReceivedCommandTimes(GetExecutionHistoryCommand, 3);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('looks again when the callback closed between reading the history and answering it', async () => {
    sfn.on(GetExecutionHistoryCommand).resolvesOnce(history(readyHistory)).resolves(history(onAirHistory));
    sfn.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));

    await endSession(SESSION_ID, HOST_ID, { attempts: 3, delayMs: 1, sleep: async () => undefined });

    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });
});
