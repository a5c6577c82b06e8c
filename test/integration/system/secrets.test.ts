/**
 * Secrets stay secret (issue 8, Access), and a hostile media command does not stop the show (Hostile media),
 * against one real local cloud.
 *
 * A whole session — a host token and a caller token issued, commands applied and failed, the end — and then
 * everything the system wrote is searched: every event of every log group, every execution's input, output
 * and history, every item of the tables, and the local cloud's own output. None holds a participant token the
 * API issued, the host's bearer token, a private part of the local JWT issuer's key or of the IVS token
 * signing key (both read from the data dir), or a task token — except that Step Functions itself records the
 * task token of a callback step in that step's TaskScheduled parameters, the one place allowed.
 *
 * The hostile media case. The API refuses every programUrl whose text names a non-public place (see
 * fuzz.test.ts); the controller checks again after resolving the name, on the address it connects to and at
 * every redirect. A live case where the API must let a URL through and only the controller can refuse it
 * needs a fully qualified public-looking name that resolves to a private address — and there is none on a
 * machine without DNS: /etc/hosts holds only single-label names (`localhost`, ...), which the API refuses as
 * local-only. So the controller's address decisions (a name resolving to 127.0.0.1, 169.254.169.254, ::1,
 * fe80::1, ::ffff:127.0.0.1; the connected address checked; redirects re-resolved and re-checked) are tested
 * in test/unit/controller/media/media-fetcher.test.ts with an injected resolver, and here the show meets the
 * failure the API cannot see: an https URL on a public-looking name the controller cannot fetch. That command
 * ends FAILED with the reason, and the next command (media of the bucket) is APPLIED: the show goes on.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE_NAME, SESSIONS_TABLE_NAME, STATE_MACHINE_NAME } from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { allLogEvents } from '#test/support/log-events';
import { SessionApi } from '#harness/session-api';
import { snapshotClients, type SnapshotClients } from '#test/support/state-snapshot';
import { writeToneWav } from '#harness/tones';
import { awsClients, executionHistory, uploadMedia } from '#harness/system-session';

const HOST = 'host-secrets';
/** A public-looking name: the API lets it through; the controller cannot resolve or fetch it here. */
const UNFETCHABLE_PROGRAM_URL = 'https://media.shelcaster-hardening-check.com/intro.wav';
const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_NAME}`;
/** The private members of an RSA or EC JWK. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

let cloud: RunningLocalCloud;
let clients: SnapshotClients;
let bearer: string;
let host: SessionApi;
let workDir: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  clients = snapshotClients(cloud.awsEndpoint);
  bearer = await localToken(cloud.dataDir, HOST);
  host = new SessionApi(cloud, bearer);
  workDir = await mkdtemp(join(tmpdir(), 'secrets-test-'));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The private members of the JWK kept in a data-dir file (`{ privateJwk }`). */
function privateKeyParts(file: string): string[] {
  const { privateJwk } = JSON.parse(readFileSync(join(cloud.dataDir, file), 'utf8')) as { privateJwk: Record<string, string> };
  return PRIVATE_JWK_MEMBERS.map((member) => privateJwk[member]).filter((value): value is string => typeof value === 'string');
}

/** Every `taskToken` value in a value, looking inside strings that hold JSON. */
function taskTokensIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (/^\s*[{[]/.test(value)) {
      try {
        taskTokensIn(JSON.parse(value), found);
      } catch {
        // not JSON after all
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) taskTokensIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (/^taskToken$/i.test(key) && typeof item === 'string') found.push(item);
      else taskTokensIn(item, found);
    }
  }
  return found;
}

/** Whether a history event is the TaskScheduled of a callback step (where Step Functions records the token). */
const isCallbackScheduled = (event: HistoryEvent) =>
  event.type === 'TaskScheduled' && (event.taskScheduledEventDetails?.resource ?? '').endsWith('.waitForTaskToken');

/** Every item of a table as JSON text. */
async function tableText(tableName: string): Promise<string[]> {
  const texts: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await clients.dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    texts.push(...(page.Items ?? []).map((item) => JSON.stringify(item)));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return texts;
}

describe('Secrets and hostile media in a whole session', () => {
  const participantTokens: string[] = [];
  const participantIds: string[] = [];
  let sessionId: string;
  let executionArn: string;

  it('runs a session: tokens issued, a media command the controller cannot fetch FAILED with its reason, the next one APPLIED', async () => {
    ({ sessionId, executionArn } = await host.createSession('Secrets'));
    await host.waitLive(sessionId, 90_000);

    for (const body of [{ role: 'HOST', displayName: 'The host' }, { role: 'CALLER', displayName: 'A caller' }]) {
      const issued = await host.request('POST', `/sessions/${sessionId}/tokens`, body);
      expect(issued.status).toBe(201);
      participantTokens.push(issued.body.token as string);
      participantIds.push(issued.body.participantId as string);
    }

    const wav = join(workDir, 'intro.wav');
    // Long enough to be still playing when the controller's now-playing report (sent after the result) lands.
    await writeToneWav(wav, [{ frequency: 440, seconds: 30 }]);
    const mediaUrl = await uploadMedia(awsClients(cloud).s3, HOST, 'intro.wav', await readFile(wav));

    const hostile = await host.command(sessionId, { type: 'PLAY_MEDIA', programId: 'unfetchable', programUrl: UNFETCHABLE_PROGRAM_URL });
    expect(hostile.status).toBe('FAILED');
    expect(hostile.reason).toMatch(/media|resolve|fetch/i);
    expect(hostile.reason).not.toMatch(/stack|at .+\.ts:\d+/);

    const play = await host.command(sessionId, { type: 'PLAY_MEDIA', programId: 'intro', programUrl: mediaUrl });
    expect(play).toMatchObject({ status: 'APPLIED' });
    expect(play.appliedAtMs).toBeGreaterThanOrEqual(hostile.appliedAtMs);
    // The controller reports what plays after it records the result, without holding up the next command: the
    // session shows it a moment after the command is APPLIED (later on a busy machine).
    await expect
      .poll(async () => (await host.request('GET', `/sessions/${sessionId}`)).body, { timeout: 20_000, interval: 250 })
      .toMatchObject({ status: 'LIVE', nowPlaying: { programId: 'intro', state: 'PLAYING' } });
    expect((await host.applied(sessionId, { type: 'SET_VOLUME', volume: 0.4 })).status).toBe('APPLIED');
    expect((await host.applied(sessionId, { type: 'STOP_MEDIA' })).status).toBe('APPLIED');

    expect((await host.request('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
    expect((await host.waitOver(sessionId, 60_000)).status).toBe('ENDED');
    await eventually(
      async () => ((await clients.sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED' ? true : undefined),
      30_000,
      'the execution to succeed',
    );
  }, 240_000);

  it('leaves no participant token, bearer token, signing key or task token in logs, executions, tables or output', async () => {
    expect(participantTokens).toHaveLength(2);
    const keyParts = [...privateKeyParts('api/jwt-signing-key.json'), ...privateKeyParts('ivs/participant-token-key.json')];
    expect(keyParts.length).toBeGreaterThanOrEqual(2);

    // Let the last log lines (teardown, the controller's exit) arrive.
    await new Promise((r) => setTimeout(r, 1000));
    const logEvents = await allLogEvents(clients.logs);
    const { executions = [] } = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000 }));
    const histories = await Promise.all(executions.map((e) => executionHistory(clients.sfn, e.executionArn!)));
    const described = await Promise.all(executions.map((e) => clients.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
    const callbackEvents = histories.flat().filter(isCallbackScheduled);
    const taskTokens = [...new Set(callbackEvents.flatMap((e) => taskTokensIn(e.taskScheduledEventDetails?.parameters)))];
    expect(taskTokens.length).toBeGreaterThanOrEqual(2); // READY and ON_AIR at least

    const haystacks: { where: string; text: string }[] = [
      ...logEvents.map((e) => ({ where: `log ${e.logGroupName}/${e.logStreamName}`, text: e.message ?? '' })),
      ...described.map((d) => ({ where: `execution ${d.name} input/output`, text: `${d.input ?? ''}\n${d.output ?? ''}\n${d.error ?? ''}\n${d.cause ?? ''}` })),
      ...histories.flat().filter((e) => !isCallbackScheduled(e)).map((e) => ({ where: `history event ${e.id} ${e.type}`, text: JSON.stringify(e) })),
      ...(await tableText(SESSIONS_TABLE_NAME)).map((text) => ({ where: 'sessions table', text })),
      ...(await tableText(IDEMPOTENCY_TABLE_NAME)).map((text) => ({ where: 'idempotency table', text })),
      { where: 'local cloud output', text: cloud.output() },
    ];
    // The search is not vacuous: the logs hold the token function's lines (by participant id) and the controller's.
    const allText = haystacks.map((h) => h.text).join('\n');
    for (const participantId of participantIds) expect(allText).toContain(participantId);
    expect(logEvents.some((e) => e.logGroupName.startsWith('/ecs/'))).toBe(true);

    const secrets: [string, string][] = [
      ...participantTokens.map((t, i): [string, string] => [`participant token ${i}`, t]),
      ['bearer token', bearer],
      ...keyParts.map((k, i): [string, string] => [`private key part ${i}`, k]),
      ...taskTokens.map((t, i): [string, string] => [`task token ${i}`, t]),
    ];
    const leaks = haystacks.flatMap(({ where, text }) => secrets.filter(([, secret]) => text.includes(secret)).map(([what]) => `${what} in ${where}`));
    expect(leaks).toEqual([]);

    // Where Step Functions records task tokens, nothing else secret may be.
    const callbackText = callbackEvents.map((e) => JSON.stringify(e)).join('\n');
    expect(secrets.filter(([what, secret]) => !what.startsWith('task token') && callbackText.includes(secret)).map(([what]) => what)).toEqual([]);
  }, 60_000);
});
