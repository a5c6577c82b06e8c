/**
 * Runs the controller's container command (controller/command.json) for real, with real Chromium and the
 * IVS web SDK, against a fake AWS and the local IVS stage: it joins, answers READY, plays a media object,
 * heartbeats ON_AIR and leaves on SIGTERM with nothing left running; and when the stage refuses it, it fails
 * READY with Shelcaster.ControllerFailed and exits non-zero.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '#harness/eventually';
import { CONTROLLER_COMMAND, CONTROLLER_WORKING_DIRECTORY } from '#controller/command';
import { DeleteStageCommand } from '@aws-sdk/client-ivs-realtime';
import { toneWav } from '#harness/tone-wav';
import { chromiumPath } from '#harness/chromium';
import { startLocalIvsStage, type LocalIvsStage } from '#test/fixtures/stage/local-ivs-stage';
import { recordPublishedAudio } from '#test/fixtures/stage/published-audio';
import { startFakeAws, type FakeAws } from './fake-aws.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const BUCKET = 'shelcaster-media-000000000000-us-east-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (polling every 100 ms) until `check` answers something. */
const until = <T>(what: string, check: () => T | undefined | false, timeoutMs = 45_000): Promise<T> =>
  eventually(async () => check() || undefined, timeoutMs, what, 100);

/** Processes whose command line names the test's temp dir (Chromium's profile lives there). */
function processesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(dir) && !/\sZ/.test(line.slice(0, 14)));
}

describe('The controller command, run for real against fakes', () => {
  let aws: FakeAws;
  let local: LocalIvsStage;
  let stageArn: string;
  let dir: string;
  let child: ChildProcess | undefined;
  let output: string;
  let exited: Promise<number | null>;

  beforeEach(async () => {
    aws = await startFakeAws();
    local = await startLocalIvsStage();
    dir = await mkdtemp(join(tmpdir(), 'controller-command-'));
    stageArn = await local.createStage('controller-command');
    const { token, participantId } = await local.token(stageArn, 'program-controller', ['PUBLISH']);
    aws.participantToken = token;
    aws.participantId = participantId;
    aws.items.set(`SESSION#${SESSION}|SESSION`, { pk: `SESSION#${SESSION}`, sk: 'SESSION', sessionId: SESSION, title: 'Test show', status: 'STARTING' });
    aws.objects.set(`/${BUCKET}/media/tone.wav`, { body: toneWav({ frequency: 440, seconds: 20 }), contentType: 'audio/wav' });
    output = '';
  });

  afterEach(async () => {
    if (process.env.DEBUG_CONTROLLER) console.log(output.slice(0, 4000), aws.calls.map((c) => c.target));
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await local.close();
    await aws.close();
    await rm(dir, { recursive: true, force: true });
  });

  function start(): void {
    const [command = '', ...args] = CONTROLLER_COMMAND;
    child = spawn(command, args, {
      cwd: CONTROLLER_WORKING_DIRECTORY,
      env: {
        PATH: `${join(CONTROLLER_WORKING_DIRECTORY, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        HOME: dir,
        TMPDIR: dir,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        SESSION_ID: SESSION,
        STAGE_ARN: stageArn,
        COMMAND_QUEUE_URL: `${aws.endpoint}/000000000000/shelcaster-program-commands-${SESSION}.fifo`,
        SESSIONS_TABLE_NAME: 'shelcaster-sessions',
        MEDIA_BUCKET_NAME: BUCKET,
        CHROMIUM_PATH: chromiumPath(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
  }

  it('joins, answers READY, plays a media object, heartbeats, and leaves cleanly on SIGTERM', async () => {
    aws.enqueue({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 'ready-task-token-secret' }, 'callbacks');
    aws.enqueue(
      {
        kind: 'COMMAND',
        sessionId: SESSION,
        commandId: 'c1',
        acceptedAt: new Date().toISOString(),
        command: { type: 'PLAY_MEDIA', programId: 'tone', programUrl: `s3://${BUCKET}/media/tone.wav` },
      },
      'commands',
    );
    aws.enqueue({ kind: 'CALLBACK', callback: 'ON_AIR', sessionId: SESSION, taskToken: 'on-air-task-token-secret' }, 'callbacks');
    const audio = recordPublishedAudio(local.stage.participants, stageArn);
    const ended: string[] = [];
    local.stage.participants.on('publicationEnded', (p) => ended.push(p.leaveReason ?? ''));
    start();

    const success = await until('SendTaskSuccess', () => aws.callsOf('AWSStepFunctions.SendTaskSuccess')[0]);
    expect(success.body.taskToken).toBe('ready-task-token-secret');
    expect(JSON.parse(String(success.body.output))).toMatchObject({ participantId: aws.participantId });
    // READY means published: the stage has the controller's publication, connected.
    expect(local.stage.participants.listPublications(stageArn)).toMatchObject([{ participantId: aws.participantId, state: 'connected', route: 'sdk' }]);
    expect(aws.callsOf('IVS.CreateParticipantToken')[0]?.body).toMatchObject({ capabilities: ['PUBLISH', 'SUBSCRIBE'], duration: 1440, userId: 'program-controller' });

    const applied = await until('the command result', () =>
      aws.callsOf('DynamoDB_20120810.UpdateItem').find((c) => JSON.stringify(c.body).includes('COMMAND#c1') && JSON.stringify(c.body).includes(':status')),
    );
    expect(JSON.stringify(applied.body)).toContain('"APPLIED"');
    await until('now-playing PLAYING', () =>
      aws.callsOf('DynamoDB_20120810.UpdateItem').find((c) => JSON.stringify(c.body).includes('"PLAYING"')),
    );
    await until('a heartbeat', () => aws.callsOf('AWSStepFunctions.SendTaskHeartbeat').length > 0);
    await sleep(1000);
    const recent = audio.recent(800);
    expect(recent.count).toBeGreaterThan(25);
    expect(recent.meanBytes).toBeGreaterThan(55); // a tone, not silence (Opus: ~35 bytes a frame of silence)
    audio.stop();

    const stoppedAt = Date.now();
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(7_000);
    expect(ended).toEqual(['DELETED']);
    await sleep(300);
    expect(processesUsing(dir)).toEqual([]);

    const lines = output.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ sessionId: SESSION });
    for (const secret of ['ready-task-token-secret', 'on-air-task-token-secret', aws.participantToken]) {
      expect(output).not.toContain(secret);
    }
  }, 90_000);

  it('fails READY with Shelcaster.ControllerFailed when the stage refuses it, and exits non-zero', async () => {
    await local.client.send(new DeleteStageCommand({ arn: stageArn }));
    aws.enqueue({ kind: 'CALLBACK', callback: 'READY', sessionId: SESSION, taskToken: 'ready-task-token-secret' }, 'callbacks');
    start();
    const failure = await until('SendTaskFailure', () => aws.callsOf('AWSStepFunctions.SendTaskFailure')[0]);
    expect(failure.body).toMatchObject({ taskToken: 'ready-task-token-secret', error: 'Shelcaster.ControllerFailed' });
    expect(String(failure.body.cause)).toContain('Stage has been deleted');
    expect(await exited).toBe(1);
    expect(processesUsing(dir)).toEqual([]);
    expect(output).not.toContain(aws.participantToken);
  }, 90_000);
});
