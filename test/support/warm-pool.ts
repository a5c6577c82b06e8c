/**
 * The warm pool's system tests' set-up and what they read of a running local cloud: a local cloud with a pool
 * of one controller started for a test file (`warmPoolCloud`), a host of its own for each test, a show created
 * and ended, an idle controller to claim, a pool task or record gone (the pool's records and tasks are read
 * with the harness's poolRecords and runningPoolTasks), a function's log lines about a session, and the local
 * cloud's fault endpoint (docs/local-cloud.md, "Fault injection"), with
 * which a test holds a call of the system long enough to act inside it.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { WarmControllerRecord } from '#contract/index';
import { eventually } from '#harness/eventually';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { awsClients, hostApi, poolRecords, runningPoolTasks, sessionLogLines, waitForSession, type AwsClients, type HostApi, type Json } from '#harness/system-session';
import type { FaultSpec } from '#local-cloud/gateway/faults';

/** The local cloud of a warm pool test file. */
export interface WarmPoolCloud {
  /** The running local cloud (from the file's `beforeAll` until it is stopped or taken). */
  readonly cloud: RunningLocalCloud;
  /** AWS SDK clients pointed at it. */
  readonly aws: AwsClients;
  /** A host of its own for each test (the per-host cap of live shows stays out of the way). */
  newHost(): Promise<HostApi>;
  /** Takes the cloud from the file's `afterAll`, for a test that stops it itself. */
  take(): RunningLocalCloud;
}

/**
 * Starts a local cloud with a warm pool of one controller (SHELCASTER_WARM_POOL_SIZE=1; the Fargate model off,
 * as in every test not about it) before the file's tests and stops it after them; with `clearFaultsAfterEach`,
 * every fault a test injected is cleared after it. Call it at the top of the test file.
 */
export function warmPoolCloud(options: { hostPrefix: string; clearFaultsAfterEach?: boolean }): WarmPoolCloud {
  let cloud: RunningLocalCloud | undefined;
  let aws: AwsClients | undefined;
  let hosts = 0;
  beforeAll(async () => {
    cloud = await startLocalCloud({ env: { SHELCASTER_WARM_POOL_SIZE: '1' } });
    aws = awsClients(cloud);
  }, 120_000);
  if (options.clearFaultsAfterEach) {
    afterEach(async () => {
      if (cloud) await clearFaults(cloud);
    });
  }
  afterAll(async () => {
    await cloud?.stop();
  });
  const running = (): RunningLocalCloud => {
    if (!cloud) throw new Error('The warm pool test file has no running local cloud');
    return cloud;
  };
  return {
    get cloud() {
      return running();
    },
    get aws() {
      if (!aws) throw new Error('The warm pool test file has no local cloud started');
      return aws;
    },
    newHost: async () => hostApi(running, await localToken(running().dataDir, `${options.hostPrefix}-${++hosts}`)),
    take() {
      const taken = running();
      cloud = undefined;
      return taken;
    },
  };
}

/** Creates a show (expecting 202); returns its session id and execution ARN. */
export async function createShow(api: HostApi, title: string): Promise<{ sessionId: string; executionArn: string }> {
  const created = await api.send('createSession', { body: { title } });
  expect(created.status).toBe(202);
  return created.body as { sessionId: string; executionArn: string };
}

/** Ends a show (a 409 if it ended already) and waits until it is ENDED or FAILED; returns that view. */
export async function endShow(api: HostApi, sessionId: string): Promise<Json> {
  const ended = await api('DELETE', `/sessions/${sessionId}`);
  expect([202, 409]).toContain(ended.status);
  return waitForSession(api, sessionId, (s) => s.status === 'ENDED' || s.status === 'FAILED', 60_000, 'the session to end');
}

/** Waits for an idle controller other than those in `except`, whose task runs; returns its record. */
export async function idleController(aws: AwsClients, except: readonly string[] = [], timeoutMs = 90_000): Promise<WarmControllerRecord> {
  return eventually(
    async () => {
      const running = new Set(await runningPoolTasks(aws));
      return (await poolRecords(aws)).find((r) => r.state === 'IDLE' && running.has(r.taskArn) && !except.includes(r.taskArn));
    },
    timeoutMs,
    'an idle warm controller',
  );
}

/** Waits until ECS no longer runs a pool task. */
export async function poolTaskGone(aws: AwsClients, taskArn: string, timeoutMs: number, what: string): Promise<void> {
  await eventually(async () => ((await runningPoolTasks(aws)).includes(taskArn) ? undefined : true), timeoutMs, what);
}

/** Waits until the pool has no record of a task. */
export async function poolRecordGone(aws: AwsClients, taskArn: string, timeoutMs: number, what: string): Promise<void> {
  await eventually(async () => ((await poolRecords(aws)).some((r) => r.taskArn === taskArn) ? undefined : true), timeoutMs, what);
}

/** The JSON log lines a function wrote about a session (its `/aws/lambda/<name>` group), oldest first. */
export function functionLogLines(logs: CloudWatchLogsClient, functionName: string, sessionId: string): Promise<Json[]> {
  return sessionLogLines(logs, `/aws/lambda/${functionName}`, sessionId);
}

/** Adds faults through the local cloud's `/_local/faults` endpoint. */
export async function injectFaults(cloud: Pick<RunningLocalCloud, 'awsEndpoint'>, faults: FaultSpec[]): Promise<void> {
  const answer = await fetch(`${cloud.awsEndpoint}/_local/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
  if (answer.status !== 200) throw new Error(`POST /_local/faults answered ${answer.status}: ${await answer.text()}`);
}

/**
 * Clears every fault. A request already held by an added latency keeps its wait (the gateway decided it when
 * the request came), and is then answered from the state the service has at that time.
 */
export async function clearFaults(cloud: Pick<RunningLocalCloud, 'awsEndpoint'>): Promise<void> {
  const answer = await fetch(`${cloud.awsEndpoint}/_local/faults`, { method: 'DELETE' });
  if (answer.status !== 200) throw new Error(`DELETE /_local/faults answered ${answer.status}: ${await answer.text()}`);
}
