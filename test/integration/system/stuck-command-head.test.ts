/**
 * Commands behind a stuck head, and commands still QUEUED when a show ends (issue 15, items 3 and 4), against
 * one real local cloud with a real controller whose S3 is unreachable (its S3 endpoint is a closed loopback
 * port): a PLAY_MEDIA of the media bucket fails transiently on every try, as it would with S3 down.
 *
 * - A stuck PLAY_MEDIA followed by three SET_VOLUMEs: the head is tried COMMAND_MAX_RECEIVE_COUNT times and
 *   given up (FAILED, dead-lettered); each command behind it is received once, when it is tried, and APPLIED.
 *   The dead-letter queue holds the head alone. (Before, the commands behind the head were received with it on
 *   every retry: applied at their fifth receive, or dead-lettered untried with their records left QUEUED.)
 * - A stuck PLAY_MEDIA and a SET_VOLUME behind it when the host ends the show: both end FAILED with the
 *   show-ended reason, none stays QUEUED.
 *
 * Times and counts are the ones the system recorded (the records' `attempts` and `appliedAt`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  COMMAND_DLQ_NAME,
  COMMAND_MAX_RECEIVE_COUNT,
  SESSIONS_TABLE_NAME,
  SHOW_ENDED_COMMAND_REASON,
  commandKey,
  mediaOwnerPrefix,
  type CommandRecord,
} from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { SessionApi } from '#harness/session-api';
import { awsClients, LOCAL_MEDIA_BUCKET, type AwsClients } from '#harness/system-session';

const HOST = 'host-stuck-head';
let cloud: RunningLocalCloud;
let host: SessionApi;
let aws: AwsClients;

beforeAll(async () => {
  // Port 9 (discard): nothing listens there, so the controller's S3 is unreachable.
  cloud = await startLocalCloud({ env: { SHELCASTER_CONTROLLER_ENV: JSON.stringify({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' }) } });
  host = new SessionApi(cloud, await localToken(cloud.dataDir, HOST));
  aws = awsClients(cloud);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** A media object of the host's uploads: the controller cannot reach S3, so playing it fails transiently. */
const STUCK_PLAY = { type: 'PLAY_MEDIA', programId: 'stuck', programUrl: `s3://${LOCAL_MEDIA_BUCKET}/${mediaOwnerPrefix(HOST)}stuck.wav` };

async function post(sessionId: string, command: Record<string, unknown>): Promise<string> {
  const sent = await host.request('POST', `/sessions/${sessionId}/commands`, command);
  if (sent.status !== 202) throw new Error(`POST commands answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  return sent.body.commandId as string;
}

async function record(sessionId: string, commandId: string): Promise<CommandRecord & Record<string, unknown>> {
  const doc = DynamoDBDocumentClient.from(aws.dynamodb);
  const { Item } = await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: commandKey(sessionId, commandId), ConsistentRead: true }));
  if (!Item) throw new Error(`no record of command ${commandId}`);
  return Item as CommandRecord & Record<string, unknown>;
}

const finished = (sessionId: string, commandId: string) =>
  eventually(
    async () => {
      const r = await record(sessionId, commandId);
      return r.status === 'QUEUED' ? undefined : r;
    },
    90_000,
    `command ${commandId} to finish`,
  );

describe('Commands behind a stuck head, and commands QUEUED at the end', () => {
  it('tries the stuck head until it gives up, and each command behind it once, when its turn comes', async () => {
    const { sessionId } = await host.createSession('Stuck head');
    await host.waitLive(sessionId, 90_000);

    const head = await post(sessionId, STUCK_PLAY);
    const behind = [await post(sessionId, { type: 'SET_VOLUME', volume: 0.4 }), await post(sessionId, { type: 'SET_VOLUME', volume: 0.6 }), await post(sessionId, { type: 'STOP_MEDIA' })];

    const headRecord = await finished(sessionId, head);
    const behindRecords = [];
    for (const id of behind) behindRecords.push(await finished(sessionId, id));

    expect(headRecord).toMatchObject({ status: 'FAILED', attempts: COMMAND_MAX_RECEIVE_COUNT, deadLetter: true });
    expect(headRecord.reason).toMatch(new RegExp(`^gave up after ${COMMAND_MAX_RECEIVE_COUNT} attempts: `));
    for (const r of behindRecords) {
      // Received once: when it was tried, after the head was given up.
      expect(r).toMatchObject({ status: 'APPLIED', attempts: 1 });
      expect(Date.parse(r.appliedAt!)).toBeGreaterThan(Date.parse(headRecord.appliedAt!));
    }

    // The dead-letter queue holds the head alone (SQS moves it on the receive after the controller gave it up).
    const { QueueUrl: dlq } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: COMMAND_DLQ_NAME }));
    const deadLettered = await eventually(
      async () => {
        const { Messages } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
        const ids = (Messages ?? []).map((m) => (JSON.parse(m.Body ?? '{}') as { commandId?: string }).commandId);
        return ids.length > 0 ? ids : undefined;
      },
      30_000,
      'the head in the dead-letter queue',
    );
    expect(deadLettered).toEqual([head]);

    await host.request('DELETE', `/sessions/${sessionId}`);
    await host.waitOver(sessionId, 90_000);
  }, 240_000);

  it('settles the commands still QUEUED when the host ends the show: FAILED with the reason, none left QUEUED', async () => {
    const { sessionId } = await host.createSession('Ends with commands queued');
    await host.waitLive(sessionId, 90_000);

    const head = await post(sessionId, STUCK_PLAY);
    const behind = await post(sessionId, { type: 'SET_VOLUME', volume: 0.3 });
    // The head is being tried (and failing) when the show ends.
    await eventually(async () => (Number((await record(sessionId, head)).transientFailures ?? 0) >= 1 ? true : undefined), 60_000, 'a failed try of the head');
    expect((await host.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);

    expect(await host.waitOver(sessionId, 90_000)).toMatchObject({ status: 'ENDED', reason: 'ENDED_BY_HOST' });
    for (const id of [head, behind]) {
      const view = await host.request('GET', `/sessions/${sessionId}/commands/${id}`);
      expect(view.body).toMatchObject({ status: 'FAILED', reason: SHOW_ENDED_COMMAND_REASON });
    }
  }, 240_000);
});
