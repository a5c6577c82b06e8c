import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler } from '../../../../functions/api/get-command.ts';
import { httpApiEvent } from '#test/fixtures/events/http-api';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { COMMAND_ID, OTHER_HOST_ID, SESSION_ID, commandItem, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);

const get = (pathParameters: Record<string, string>, sub?: string) =>
  handler(httpApiEvent({ method: 'GET', route: '/sessions/{sessionId}/commands/{commandId}', pathParameters, sub }), lambdaContext);

const bySortKey = (items: { session?: object; command?: object }) =>
  documents.on(GetCommand).callsFake((input: { Key: { sk: string } }) => ({
    Item: input.Key.sk === 'SESSION' ? items.session : items.command,
  }));

beforeEach(() => {
  documents.reset();
});

describe('Function: get-command', () => {
  it("answers the owner with the command's status", async () => {
    bySortKey({ session: sessionItem(), command: commandItem({ status: 'APPLIED', appliedAt: '2026-11-24T08:05:01.000Z' }) });

    const response = await get({ sessionId: SESSION_ID, commandId: COMMAND_ID });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      commandId: COMMAND_ID,
      type: 'SET_VOLUME',
      status: 'APPLIED',
      acceptedAt: '2026-11-24T08:05:00.000Z',
      appliedAt: '2026-11-24T08:05:01.000Z',
    });
  });

  it('reports a FAILED command with its reason', async () => {
    bySortKey({ session: sessionItem(), command: commandItem({ status: 'FAILED', reason: 'programUrl refused' }) });

    const body = JSON.parse((await get({ sessionId: SESSION_ID, commandId: COMMAND_ID })).body ?? '{}') as Record<string, unknown>;

    expect(body).toMatchObject({ status: 'FAILED', reason: 'programUrl refused' });
  });

  it("answers 404 to someone else and never reads the command", async () => {
    bySortKey({ session: sessionItem(), command: commandItem() });

    const response = await get({ sessionId: SESSION_ID, commandId: COMMAND_ID }, OTHER_HOST_ID);

    expect(response.statusCode).toBe(404);
    expect(documents).toHaveReceivedCommandTimes(GetCommand, 1);
  });

  it('answers 404 for a command the session does not have', async () => {
    bySortKey({ session: sessionItem() });

    const response = await get({ sessionId: SESSION_ID, commandId: COMMAND_ID });

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each([
    [{ sessionId: SESSION_ID, commandId: 'nope' }],
    [{ sessionId: 'nope', commandId: COMMAND_ID }],
    [{ sessionId: SESSION_ID }],
  ])('refuses bad path parameters %j with 400', async (params) => {
    const response = await get(params as Record<string, string>);

    expect(response.statusCode).toBe(400);
    expect(documents).not.toHaveReceivedCommand(GetCommand);
  });
});
