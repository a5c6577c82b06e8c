/**
 * "What happened to session X" (issue 9), against one real local cloud: `npx shelcaster trace` run for real on
 * a session that was started, played a tone and was ended (also followed live with --follow), and on a session
 * whose controller was killed; the logs of both sessions (JSON with the session id on every line); the
 * executions page in real Chromium, whose screenshot goes to docs/images/executions.png (with SHELCASTER_UPDATE_SCREENSHOTS=1).
 */
import { screenshotPath } from '#test/support/screenshots';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer-core';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { CLUSTER_NAME, CONTROLLER_LOG_GROUP, FUNCTION_NAMES, mediaBucketName, STATES } from '#contract/index';
import type { SessionTrace } from '#trace/trace-model';
import { localToken, REPO_ROOT, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { finishedExecution, hostApi } from '#harness/system-session';
import { USER_CHROMIUM_PATH } from '#harness/chromium';

const HOST = 'host-trace';
const MAIN_STATES = [STATES.CreateStage, STATES.StartController, STATES.WaitForReady, STATES.GoLive, STATES.OnAir, STATES.Teardown];

let cloud: RunningLocalCloud;
let token: string;
let programUrl: string;
let clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
/** Sessions the tests ran, for the log checks. */
const sessionIds: string[] = [];
/** The session the host ended and the one whose controller was killed. */
let endedSessionId = '';
let restartedSessionId = '';

beforeAll(async () => {
  cloud = await startLocalCloud();
  token = await localToken(cloud.dataDir, HOST);
  clientConfig = {
    endpoint: cloud.awsEndpoint,
    region: cloud.awsEnv.AWS_REGION!,
    credentials: { accessKeyId: cloud.awsEnv.AWS_ACCESS_KEY_ID!, secretAccessKey: cloud.awsEnv.AWS_SECRET_ACCESS_KEY! },
  };
  // A 3-second tone, uploaded where the media policy lets a PLAY_MEDIA command point.
  const dir = mkdtempSync(join(tmpdir(), 'trace-tone-'));
  const wav = join(dir, 'tone.wav');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-ar', '48000', '-ac', '1', wav]);
  const bucket = mediaBucketName('000000000000', 'us-east-1');
  const key = `media/${HOST}/tone.wav`;
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(wav), ContentType: 'audio/wav' }));
  rmSync(dir, { recursive: true, force: true });
  programUrl = `s3://${bucket}/${key}`;
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

/** Calls the local API as the host. */
const api = (method: string, path: string, body?: unknown) => hostApi(() => cloud, token)(method, path, body);

/** Waits for the session to reach a status (fails early on an unexpected end). */
async function sessionStatus(sessionId: string, wanted: 'LIVE' | 'ENDED'): Promise<Record<string, unknown>> {
  return await eventually(
    async () => {
      const session = (await api('GET', `/sessions/${sessionId}`)).body;
      if (wanted === 'LIVE' && (session.status === 'FAILED' || session.status === 'ENDED')) throw new Error(JSON.stringify(session));
      return session.status === wanted ? session : undefined;
    },
    60_000,
    `session ${sessionId} to be ${wanted}`,
  );
}

/** Starts a session and waits until it is LIVE. */
async function liveSession(title: string): Promise<{ sessionId: string; executionArn: string }> {
  const created = await api('POST', '/sessions', { title });
  expect(created.status).toBe(202);
  const sessionId = created.body.sessionId as string;
  sessionIds.push(sessionId);
  await sessionStatus(sessionId, 'LIVE');
  return { sessionId, executionArn: created.body.executionArn as string };
}

/** Plays the tone and waits until the controller applied it. */
async function playTone(sessionId: string): Promise<void> {
  const queued = await api('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'tone', programUrl });
  expect(queued.status).toBe(202);
  const command = await eventually(
    async () => {
      const c = (await api('GET', `/sessions/${sessionId}/commands/${queued.body.commandId as string}`)).body;
      return c.status === 'QUEUED' ? undefined : c;
    },
    30_000,
    'the command to be applied',
  );
  expect(command.status).toBe('APPLIED');
}

/** Ends a session and waits until its execution finished. */
async function endSession(sessionId: string, executionArn: string): Promise<void> {
  expect((await api('DELETE', `/sessions/${sessionId}`)).status).toBe(202);
  await sessionStatus(sessionId, 'ENDED');
  const sfn = new SFNClient(clientConfig);
  await finishedExecution(sfn, executionArn);
}

interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `npx shelcaster <args>` for real, with the environment that points the AWS SDK at the local cloud. */
function startShelcaster(args: readonly string[]): Promise<CommandRun> {
  const child = spawn('npx', ['shelcaster', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...cloud.awsEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** The state names of the rows of the text trace's States table, in order. */
function stateRows(text: string): string[] {
  return [...text.matchAll(/^ {2}\d+ +(\w+) +\d{4}-/gm)].map((m) => m[1]!);
}

describe('shelcaster trace: a session started, played and ended', () => {
  it('shows CreateStage, StartController, WaitForReady, GoLive, OnAir and Teardown in order, live with --follow and afterwards', async () => {
    const created = await api('POST', '/sessions', { title: 'Traced show' });
    expect(created.status).toBe(202);
    const sessionId = created.body.sessionId as string;
    const executionArn = created.body.executionArn as string;
    sessionIds.push(sessionId);
    endedSessionId = sessionId;
    const followed = startShelcaster(['trace', sessionId, '--follow']);
    await sessionStatus(sessionId, 'LIVE');
    await playTone(sessionId);
    await endSession(sessionId, executionArn);

    const follow = await followed;
    expect(follow.stderr).not.toMatch(/failed|Error/);
    expect(follow.code).toBe(0);
    const entered = [...follow.stdout.matchAll(/ \d+ {2}\w+StateEntered {2}(\w+)$/gm)].map((m) => m[1]);
    expect(entered.filter((name) => (MAIN_STATES as readonly string[]).includes(name!))).toEqual(MAIN_STATES);
    expect(follow.stdout).toMatch(/ExecutionSucceeded/);
    expect(stateRows(follow.stdout).filter((name) => (MAIN_STATES as readonly string[]).includes(name))).toEqual(MAIN_STATES);

    const text = await startShelcaster(['trace', sessionId]);
    expect(text.code).toBe(0);
    expect(stateRows(text.stdout)).toEqual([...MAIN_STATES, STATES.EndedOrFailed, STATES.SessionEnded]);
    expect(text.stdout).toContain('ENDED (ENDED_BY_HOST: The host ended the show.)');
    expect(text.stdout).toMatch(/PLAY_MEDIA\s+APPLIED\s+\d+ ms/);
    expect(text.stdout).toContain('Controller restarts 0');
    expect(text.stdout).toContain('Step Functions history records no heartbeats');

    const json = await startShelcaster(['trace', sessionId, '--json']);
    expect(json.code).toBe(0);
    const trace = JSON.parse(json.stdout) as SessionTrace;
    expect(trace.status).toBe('SUCCEEDED');
    expect(trace.states.map((s) => s.name)).toEqual([...MAIN_STATES, STATES.EndedOrFailed, STATES.SessionEnded]);
    expect(trace.states.every((s) => s.outcome === 'succeeded' && s.durationMs !== undefined)).toBe(true);
    expect(trace.commands).toHaveLength(1);
    expect(trace.commands[0]).toMatchObject({ type: 'PLAY_MEDIA', status: 'APPLIED' });
    expect(trace.commands[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(trace.heartbeats).not.toBeNull();
    expect(trace.controller.restarts).toBe(0);
  }, 150_000);
});

describe('shelcaster trace: a session whose controller was killed', () => {
  it('shows the loss, the replacement and the restart count', async () => {
    const { sessionId, executionArn } = await liveSession('Killed controller');
    restartedSessionId = sessionId;
    await playTone(sessionId);
    const ecs = new ECSClient(clientConfig);
    const tasks = await ecs.send(new ListTasksCommand({ cluster: CLUSTER_NAME, startedBy: sessionId, desiredStatus: 'RUNNING' }));
    const described = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_NAME, tasks: tasks.taskArns }));
    process.kill(Number(described.tasks?.[0]?.containers?.[0]?.runtimeId), 'SIGKILL');

    // The replacement is on air once OnAir is entered a second time.
    const sfn = new SFNClient(clientConfig);
    await eventually(
      async () => {
        const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false }));
        const onAir = (history.events ?? []).filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === STATES.OnAir);
        return onAir.length >= 2 ? true : undefined;
      },
      90_000,
      'the replacement controller to be on air',
    );
    await endSession(sessionId, executionArn);

    const text = await startShelcaster(['trace', sessionId]);
    expect(text.code).toBe(0);
    expect(stateRows(text.stdout)).toEqual([
      ...MAIN_STATES.slice(0, 5),
      STATES.ControllerLost,
      STATES.ReplaceOrEnd,
      STATES.ReplaceController,
      STATES.WaitForReplacementReady,
      STATES.GoLive,
      STATES.OnAir,
      STATES.Teardown,
      STATES.EndedOrFailed,
      STATES.SessionEnded,
    ]);
    expect(text.stdout).toMatch(/^ {2}5 +OnAir .* caught \(Shelcaster\.ControllerStopped/m);
    expect(text.stdout).toContain('Controller restarts 1');
    expect(text.stdout).toMatch(/lost \S+Z {2}Shelcaster\.ControllerStopped/);

    const json = await startShelcaster(['trace', sessionId, '--json']);
    const trace = JSON.parse(json.stdout) as SessionTrace;
    expect(trace.controller.restarts).toBe(1);
    expect(trace.controller.losses).toEqual([expect.objectContaining({ error: 'Shelcaster.ControllerStopped' })]);
  }, 180_000);
});

describe('Logs of a real session', () => {
  /** Every event of a log group (all pages). */
  async function allEvents(logs: CloudWatchLogsClient, logGroupName: string): Promise<FilteredLogEvent[]> {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName, ...(nextToken ? { nextToken } : {}) }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /** Lambda's own platform lines (START, END, REPORT, INIT_START; `platform.*` records in the JSON log format): written by Lambda, not by our code. */
  const PLATFORM_LINE = /^(INIT_START|START|END|REPORT) |^\{"time":"[^"]+","type":"platform\./;

  it('are JSON lines with the session id on every line, from the functions and the controller', async () => {
    expect(sessionIds.length).toBeGreaterThanOrEqual(2);
    const logs = new CloudWatchLogsClient(clientConfig);
    const groups = ((await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).map((g) => g.logGroupName!);
    const sessionGroups = [
      ...[FUNCTION_NAMES.createStage, FUNCTION_NAMES.startController, FUNCTION_NAMES.goLive, FUNCTION_NAMES.controllerLost, FUNCTION_NAMES.teardown, FUNCTION_NAMES.enqueueCommand, FUNCTION_NAMES.endSession].map(
        (name) => `/aws/lambda/${name}`,
      ),
      CONTROLLER_LOG_GROUP,
    ];
    expect(groups).toEqual(expect.arrayContaining(sessionGroups));
    const offending: string[] = [];
    const sessionsByGroup = new Map<string, Set<string>>();
    for (const group of groups.filter((g) => g.startsWith('/aws/lambda/shelcaster-') || g === CONTROLLER_LOG_GROUP)) {
      for (const event of await allEvents(logs, group)) {
        const message = event.message ?? '';
        if (group !== CONTROLLER_LOG_GROUP && PLATFORM_LINE.test(message)) continue;
        let line: { sessionId?: unknown; level?: unknown; message?: unknown } | undefined;
        try {
          line = JSON.parse(message) as typeof line;
        } catch {
          line = undefined;
        }
        // The warm pool's function serves the pool, not a session: JSON lines without a session id.
        const poolWide = group === `/aws/lambda/${FUNCTION_NAMES.warmPool}`;
        if (!line || (!poolWide && typeof line.sessionId !== 'string') || typeof line.level !== 'string' || typeof line.message !== 'string') {
          offending.push(`${group}: ${message.slice(0, 200)}`);
          continue;
        }
        if (poolWide) continue;
        if (!sessionsByGroup.has(group)) sessionsByGroup.set(group, new Set());
        sessionsByGroup.get(group)!.add(line.sessionId as string);
      }
    }
    expect(offending).toEqual([]);
    // Each step of the ended session, and the controller, logged with its id.
    for (const group of sessionGroups.filter((g) => !g.includes(FUNCTION_NAMES.controllerLost))) {
      expect(sessionsByGroup.get(group), group).toContain(endedSessionId);
    }
    expect(sessionsByGroup.get(`/aws/lambda/${FUNCTION_NAMES.controllerLost}`)).toContain(restartedSessionId);
    expect(sessionsByGroup.get(CONTROLLER_LOG_GROUP)).toContain(restartedSessionId);
  }, 60_000);
});

describe('The executions page', () => {
  let browser: Browser | undefined;
  const profile = mkdtempSync(join(tmpdir(), 'executions-chromium-'));

  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('lists the executions, draws the state machine coloured by outcome and shows the history, in Chromium', async () => {
    browser = await puppeteer.launch({
      executablePath: USER_CHROMIUM_PATH,
      headless: true,
      userDataDir: profile,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1400 });

    const list = await page.goto(`${cloud.apiUrl}/executions`);
    expect(list?.status()).toBe(200);
    const listed = await page.$$eval('table.executions tbody tr', (rows) =>
      rows.map((row) => ({ name: row.getAttribute('data-execution'), status: row.querySelector('.status')?.textContent })),
    );
    expect(listed).toEqual(expect.arrayContaining(sessionIds.map((name) => ({ name, status: 'SUCCEEDED' }))));

    // From the list to the session whose controller was restarted, as an operator would click.
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-execution="${restartedSessionId}"] a`)]);
    const restarted = await page.$$eval('g.state', (nodes) => Object.fromEntries(nodes.map((n) => [n.getAttribute('data-state'), n.getAttribute('data-status')])));
    expect(restarted[STATES.OnAir]).toBe('succeeded');
    expect(restarted[STATES.ControllerLost]).toBe('succeeded');
    expect(restarted[STATES.SessionFailed]).toBe('notEntered');
    const onAirVisits = await page.$eval(`g.state[data-state="${STATES.OnAir}"] g.visits`, (g) => [g.getAttribute('data-visits'), g.getAttribute('data-caught')]);
    expect(onAirVisits).toEqual(['2', '1']);
    await page.screenshot({ path: screenshotPath('executions.png') });

    const response = await page.goto(`${cloud.apiUrl}/executions/${endedSessionId}`);
    expect(response?.status()).toBe(200);
    const nodes = await page.$$eval('svg.state-graph g.state', (all) =>
      all.map((n) => ({ name: n.getAttribute('data-state'), status: n.getAttribute('data-status'), fill: n.querySelector('rect')?.getAttribute('fill') })),
    );
    expect(nodes.map((n) => n.name).sort()).toEqual(Object.values(STATES).sort());
    const onAir = nodes.find((n) => n.name === STATES.OnAir)!;
    expect(onAir.status).toBe('succeeded');
    expect(onAir.fill).toBe(nodes.find((n) => n.name === STATES.CreateStage)!.fill);
    expect(nodes.find((n) => n.name === STATES.ControllerLost)!.status).toBe('notEntered');
    const edges = await page.$$eval('svg.state-graph path.edge', (all) => all.map((p) => p.getAttribute('d') ?? ''));
    expect(edges.length).toBeGreaterThan(Object.keys(STATES).length);
    expect(edges.every((d) => /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/.test(d))).toBe(true);
    const rows = await page.$$eval('table.history tbody tr', (all) => all.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThan(30);
    expect(rows[0]![1]).toBe('ExecutionStarted');
    expect(rows.at(-1)![1]).toBe('ExecutionSucceeded');
    expect(rows.filter((r) => r[1] === 'TaskStateEntered' && r[2] === STATES.OnAir)).toHaveLength(1);
  }, 90_000);
});


describe('IAM enforcement (the synthesized template) during all of the above', () => {
  it("let every principal's calls through: the functions', the state machine's and the controller task's", () => {
    expect(cloud.output()).toContain('IAM            enforced from the synthesized template');
    expect(cloud.output()).not.toContain('[iam] AccessDenied');
  });
});
