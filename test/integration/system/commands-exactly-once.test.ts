/**
 * Issue 8, "Commands: none lost, none twice, in order", against one real local cloud.
 *
 * 1. Sixty commands (volumes, pauses, resumes) posted to a live show while its controller is killed in the
 *    middle: every one is APPLIED, exactly once (one recorded "Command finished" per command id in the
 *    controllers' logs; the killed controller's last result, which names it as `appliedBy`, may have lost its
 *    line to the kill), in the order accepted (appliedAt strictly increasing in posting order), and the show
 *    ends where the last commands put it.
 * 2. The dead-letter path on the deployed queue settings: the controller's queue loop and command processor,
 *    run here against the local cloud's SQS and DynamoDB, with one command whose application fails
 *    transiently every time. It is FAILED on its last delivery, SQS's redrive moves it to the dead-letter
 *    queue, and the commands behind it are applied. (A real transient failure — S3 throttling, a page call
 *    timing out — cannot be provoked on demand; the failure is injected where the controller applies it.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  COMMAND_DLQ_NAME,
  CONTROLLER_LOG_GROUP,
  COMMAND_MAX_RECEIVE_COUNT,
  COMMAND_MESSAGE_GROUP,
  SESSIONS_TABLE_NAME,
  commandKey,
  commandQueueName,
  type CommandInput,
  type CommandMessage,
} from '#contract/index';
import { toneWav } from '#harness/tone-wav';
import { isAlive, localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import {
  awsClients,
  controllerLogLines,
  hostApi,
  runningController,
  startLiveSession,
  uploadMedia,
  waitForSession,
  type AwsClients,
  type HostApi,
  type Json,
} from '#harness/system-session';
import { CommandProcessor } from '#controller/queue/command-processor';
import { QueueLoop } from '#controller/queue/queue-loop';
import { SessionStore } from '#controller/state/session-store';
import { Logger } from '@aws-lambda-powertools/logger';

const HOST = 'host-commands';
const COMMAND_COUNT = 60;

let cloud: RunningLocalCloud;
let aws: AwsClients;
let api: HostApi;

beforeAll(async () => {
  cloud = await startLocalCloud();
  aws = awsClients(cloud);
  api = hostApi(() => cloud, await localToken(cloud.dataDir, HOST));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** The i-th command of the mix: mostly volumes (each a distinct value), every fourth a PAUSE or RESUME. */
function commandAt(i: number): CommandInput {
  if (i % 4 === 1) return { type: 'PAUSE_MEDIA' };
  if (i % 4 === 3) return { type: 'RESUME_MEDIA' };
  return { type: 'SET_VOLUME', volume: Math.round((0.2 + (i / COMMAND_COUNT) * 0.7) * 1000) / 1000 };
}

describe('Commands across a controller kill', () => {
  it('applies each of 60 commands exactly once, in the order accepted, none lost', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const programUrl = await uploadMedia(aws.s3, HOST, 'tone.wav', toneWav({ frequency: 330, seconds: 240, sampleRate: 16_000, amplitude: 0.2 }));
    const { sessionId } = await startLiveSession(api, 'Exactly once');
    const play = await api('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'tone', programUrl });
    expect(play.status).toBe(202);
    await waitForSession(api, sessionId, (s) => (s.nowPlaying as Json | undefined)?.state === 'PLAYING', 30_000, 'the tone to play');
    const first = await runningController(aws.ecs, sessionId);

    const accepted: { commandId: string; command: CommandInput }[] = [];
    let killedAfter = -1;
    for (let i = 0; i < COMMAND_COUNT; i++) {
      const command = commandAt(i);
      const response = await api('POST', `/sessions/${sessionId}/commands`, command);
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      accepted.push({ commandId: response.body.commandId as string, command });
      if (i === COMMAND_COUNT / 2) {
        process.kill(first.pid, 'SIGKILL');
        killedAfter = i;
      }
    }
    expect(killedAfter).toBe(COMMAND_COUNT / 2);

    const records = await eventually(
      async () => {
        const all: Json[] = [];
        for (let i = 0; i < accepted.length; i += 5) {
          const page = await Promise.all(accepted.slice(i, i + 5).map(({ commandId }) => api('GET', `/sessions/${sessionId}/commands/${commandId}`)));
          if (page.some((r) => r.status !== 200)) throw new Error(`GET command answered ${JSON.stringify(page.map((r) => r.status))}`);
          all.push(...page.map((r) => r.body));
        }
        return all.every((r) => r.status !== 'QUEUED') ? all : undefined;
      },
      90_000,
      'every command to have a result',
    );
    expect(records.filter((r) => r.status !== 'APPLIED')).toEqual([]);

    // In the order accepted: appliedAt strictly increases along the posting order.
    const appliedAt = records.map((r) => Date.parse(r.appliedAt as string));
    const outOfOrder = appliedAt.flatMap((at, i) => (i > 0 && at <= appliedAt[i - 1]! ? [i] : []));
    expect(outOfOrder).toEqual([]);
    const gaps = appliedAt.slice(1).map((at, i) => at - appliedAt[i]!);
    console.info(`Longest wait between two results: ${(Math.max(...gaps) / 1000).toFixed(2)} s (the kill came after command ${killedAfter + 1})`);

    // Exactly once. Each result is recorded by one conditional update that also names the controller that
    // made it (appliedBy), and each controller logs "Command finished" (recorded: true) after DynamoDB took
    // its write. So: no command may have two such lines (applied twice), and every command has one, except
    // that the killed controller's very last result may lack its line: the kill can land between DynamoDB
    // taking the write and the controller writing the line.
    const second = await runningController(aws.ecs, sessionId);
    expect(second.pid).not.toBe(first.pid);
    expect(isAlive(first.pid)).toBe(false);
    const doc = DynamoDBDocumentClient.from(aws.dynamodb);
    const stored = await Promise.all(
      accepted.map(async ({ commandId }) => {
        const { Item } = await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: commandKey(sessionId, commandId), ConsistentRead: true }));
        return Item as Json;
      }),
    );
    const playRecord = (await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: commandKey(sessionId, play.body.commandId as string), ConsistentRead: true }))).Item as Json;
    const killedController = playRecord.appliedBy as string;
    expect(killedController).toEqual(expect.any(String));
    expect(stored.every((r) => typeof r.appliedBy === 'string')).toBe(true);
    const byKilled = stored.filter((r) => r.appliedBy === killedController);
    const byReplacement = stored.filter((r) => r.appliedBy !== killedController);
    expect(new Set(byReplacement.map((r) => r.appliedBy)).size).toBe(1);
    expect(byReplacement.length).toBeGreaterThan(0);
    const killedLast = byKilled.reduce<Json | undefined>((last, r) => (!last || Date.parse(r.appliedAt as string) > Date.parse(last.appliedAt as string) ? r : last), undefined);

    const finishedLines = async () =>
      (await controllerLogLines(aws.logs, sessionId, started)).filter((l) => l.message === 'Command finished' && l.recorded === true);
    const complete = (lines: Json[]) => accepted.every(({ commandId }) => commandId === killedLast?.commandId || lines.some((l) => l.commandId === commandId));
    const finished = await eventually(async () => {
      const lines = await finishedLines();
      return complete(lines) ? lines : undefined;
    }, 20_000, 'the controllers’ log lines').catch(finishedLines);
    const perCommand = new Map<string, Json[]>();
    for (const line of finished) perCommand.set(line.commandId as string, [...(perCommand.get(line.commandId as string) ?? []), line]);
    const notOnce = accepted.flatMap(({ commandId }, i) => {
      const lines = perCommand.get(commandId) ?? [];
      const cutByTheKill = lines.length === 0 && commandId === killedLast?.commandId;
      return lines.length === 1 || cutByTheKill ? [] : [{ i, commandId, lines, record: stored[i] }];
    });
    for (const missing of notOnce) {
      const raw = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, startTime: started, filterPattern: `"${missing.commandId}"` }));
      console.info(JSON.stringify(raw.events?.map((e) => [e.logStreamName, e.message]), null, 1));
    }
    expect(notOnce).toEqual([]);

    // The show ends where the last commands put it.
    const lastVolume = [...accepted].reverse().find(({ command }) => command.type === 'SET_VOLUME')!.command as { volume: number };
    const lastPlayState = [...accepted].reverse().find(({ command }) => command.type !== 'SET_VOLUME')!.command.type;
    const session = await waitForSession(
      api,
      sessionId,
      (s) => (s.nowPlaying as Json | undefined)?.volume === lastVolume.volume,
      15_000,
      'now-playing to show the last volume',
    );
    expect(session.status).toBe('LIVE');
    expect(session.controllerRestarts).toBe(1);
    expect((session.nowPlaying as Json).state).toBe(lastPlayState === 'PAUSE_MEDIA' ? 'PAUSED' : 'PLAYING');

    await api('DELETE', `/sessions/${sessionId}`);
    await waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 60_000, 'the session to end');
  });
});

describe('A command that keeps failing', () => {
  it('goes to the dead-letter queue, reported FAILED, while the commands behind it are applied', async () => {
    const sessionId = randomUUID();
    const doc = DynamoDBDocumentClient.from(aws.dynamodb);
    // A queue with the deployed session queue's settings (what CreateStage creates), redriving to the DLQ.
    const { QueueUrl: dlqUrl } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: COMMAND_DLQ_NAME }));
    const { Attributes: dlq } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const { QueueUrl: queueUrl } = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: commandQueueName(sessionId),
        Attributes: {
          FifoQueue: 'true',
          VisibilityTimeout: '10',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq!.QueueArn, maxReceiveCount: COMMAND_MAX_RECEIVE_COUNT }),
        },
      }),
    );

    const ids = ['before', 'failing', 'after-1', 'after-2'].map((name) => ({ name, commandId: randomUUID() }));
    for (const [i, { commandId }] of ids.entries()) {
      const message: CommandMessage = {
        kind: 'COMMAND',
        sessionId,
        commandId,
        acceptedAt: new Date(Date.now() + i).toISOString(),
        command: { type: 'SET_VOLUME', volume: (i + 1) / 10 },
      };
      await doc.send(
        new PutCommand({
          TableName: SESSIONS_TABLE_NAME,
          Item: { ...commandKey(sessionId, commandId), sessionId, commandId, command: message.command, status: 'QUEUED', acceptedAt: message.acceptedAt },
        }),
      );
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), MessageGroupId: COMMAND_MESSAGE_GROUP, MessageDeduplicationId: commandId }),
      );
    }

    const failingId = ids[1]!.commandId;
    const quiet = new Logger({ serviceName: 'dead-letter-test', logLevel: 'SILENT' });
    const applied: string[] = [];
    const processor = new CommandProcessor({
      store: new SessionStore(doc, SESSIONS_TABLE_NAME, sessionId),
      apply: async (message) => {
        if (message.commandId === failingId) throw new Error('Throttling: rate exceeded');
        applied.push(message.commandId);
      },
      logger: quiet,
    });
    const loop = new QueueLoop({ sqs: aws.sqs, queueUrl: queueUrl!, sessionId, commands: processor, callbacks: { handle: async () => undefined }, logger: quiet });
    const stop = new AbortController();
    const running = loop.run(stop.signal);
    const status = async (commandId: string) =>
      (await doc.send(new GetCommand({ TableName: SESSIONS_TABLE_NAME, Key: commandKey(sessionId, commandId), ConsistentRead: true }))).Item;

    try {
      const dead = await eventually(
        async () => {
          const { Messages } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
          return Messages?.find((m) => (JSON.parse(m.Body ?? '{}') as Json).commandId === failingId);
        },
        60_000,
        'the failing command in the dead-letter queue',
      );
      expect(dead).toBeDefined();
      await eventually(async () => (applied.length === 3 ? true : undefined), 15_000, 'the commands behind it');
    } finally {
      stop.abort();
      await running;
      await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    }
    expect(applied).toEqual([ids[0]!.commandId, ids[2]!.commandId, ids[3]!.commandId]);
    expect(await status(failingId)).toMatchObject({
      status: 'FAILED',
      attempts: COMMAND_MAX_RECEIVE_COUNT,
      reason: `gave up after ${COMMAND_MAX_RECEIVE_COUNT} attempts: Throttling: rate exceeded`,
    });
    for (const { commandId } of [ids[0]!, ids[2]!, ids[3]!]) expect((await status(commandId))?.status).toBe('APPLIED');
  }, 120_000);
});
