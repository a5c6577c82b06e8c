import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CONTROLLER_RESTART_WINDOW_SECONDS, MAX_CONTROLLER_RESTARTS } from '#contract/index';
import { handler } from '../../../../functions/steps/controller-lost.ts';
import { controllerLost } from '#commons/actions/controller-lost';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { SESSION_ID, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);

const NOW = new Date('2026-11-24T09:00:00.000Z');
const secondsBefore = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const loss = { Error: 'States.Timeout', Cause: "No heartbeat within the task's 30 seconds" };

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem() });
  documents.on(UpdateCommand).resolves({ Attributes: sessionItem() });
});

describe('Step: controller-lost', () => {
  it('allows a replacement for the first loss and records it', async () => {
    const output = await handler({ sessionId: SESSION_ID, loss }, lambdaContext);

    expect(output).toEqual({ replace: true, restarts: 1 });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':f0': [expect.any(String)], ':f1': 1 }),
    });
  });

  it(`allows ${MAX_CONTROLLER_RESTARTS} losses within the window and refuses the next`, async () => {
    const earlier = Array.from({ length: MAX_CONTROLLER_RESTARTS }, (_, i) => secondsBefore(60 * (i + 1)));
    documents.on(GetCommand).resolves({ Item: sessionItem({ controllerLosses: earlier.slice(1), controllerRestarts: 2 }) });
    await expect(controllerLost(SESSION_ID, loss, () => NOW)).resolves.toEqual({ replace: true, restarts: MAX_CONTROLLER_RESTARTS });

    documents.on(GetCommand).resolves({ Item: sessionItem({ controllerLosses: earlier, controllerRestarts: 3 }) });
    await expect(controllerLost(SESSION_ID, loss, () => NOW)).resolves.toEqual({ replace: false, restarts: MAX_CONTROLLER_RESTARTS + 1 });
  });

  it('forgets losses older than the window', async () => {
    const old = Array.from({ length: 5 }, () => secondsBefore(CONTROLLER_RESTART_WINDOW_SECONDS + 1));
    documents.on(GetCommand).resolves({ Item: sessionItem({ controllerLosses: old, controllerRestarts: 5 }) });

    await expect(controllerLost(SESSION_ID, loss, () => NOW)).resolves.toEqual({ replace: true, restarts: 1 });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':f0': [NOW.toISOString()], ':f1': 6 }),
    });
  });

  it('does not replace a controller of a session the host is ending', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ endRequested: true, status: 'ENDING' }) });

    await expect(handler({ sessionId: SESSION_ID, loss }, lambdaContext)).resolves.toEqual({ replace: false, restarts: 1 });
  });
});
