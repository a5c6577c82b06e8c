/**
 * Figures "warm start: POST /sessions → LIVE with a warm controller" (issue 17: p95 ≤ 3 s, with Fargate's
 * start-up modelled) and "pool refill after a claim" (reported). They run in a local cloud of their own with
 * the Fargate model on (SHELCASTER_FARGATE_STARTUP_MS at its default) and a pool of two
 * (SHELCASTER_WARM_POOL_SIZE=2, as the CDK app keeps), sessions one at a time, each started once an idle
 * controller is ready. The first start in the fresh cloud is a warm-up, reported apart: it also pays the
 * cold start of every Lambda on the way (the API's, the state machine's steps'), which is not the warm
 * controller's figure. From what the system recorded: the session's LIVE time against the POST; the claim
 * (the pool record's `claimedAt`), and each replacement's RunTask (its `startedAt`) and readiness (its
 * `idleSince`), matched to the claims in order.
 */
import { rm } from 'node:fs/promises';
import type { WarmControllerRecord } from '#contract/index';
import { eventually } from '#harness/eventually';
import { startLocalCloud } from '#harness/local-cloud';
import { DEFAULT_FARGATE_STARTUP_MS, FARGATE_STARTUP_ENV } from '#local-cloud/services/ecs/fargate-startup';
import { BenchContext, endSession, startSession } from '../client.ts';
import { atMost, failedFigure, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CONTROLLER_LOG_GROUP } from '#contract/index';
import { poolRecords, sessionRecord, type AwsClients } from '#harness/system-session';

/** The phases (ms since its process start) a session's controller logged when it joined. */
async function joinPhases(aws: AwsClients, sessionId: string): Promise<Record<string, number> | undefined> {
  const logs = await aws.logs.send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, filterPattern: `"${sessionId}"` }));
  const event = logs.events?.find((e) => e.message?.includes('Joined the stage and publishing'));
  if (!event?.message) return undefined;
  return (JSON.parse(event.message) as { sinceProcessStartMs?: Record<string, number> }).sinceProcessStartMs;
}

/** Sessions measured even past the step's share of the budget (a figure needs some). */
const MIN_SESSIONS = 2;
const WARM = { id: 'warm-start', title: "warm start: POST /sessions → LIVE with a warm controller, Fargate's start-up modelled", target: 'p95 ≤ 3000 ms' };
const REFILL = { id: 'pool-refill', title: 'pool refill: a claim → the next warm controller idle', target: "reported (Fargate's start-up + the controller's own)" };
const WARM_P95_MS = 3000;
/** The pool the figure's cloud keeps: the CDK app's default, so a session need not wait for each refill. */
const POOL_SIZE = 2;

/** Runs `count` warm starts, one at a time, and measures the pool's refill after each claim. */
export async function warmStartFigures(runId: string, count: number, log: (line: string) => void, outOfTime: () => boolean = () => false): Promise<Figure[]> {
  const cloud = await startLocalCloud({
    readyTimeoutMs: 120_000,
    env: { [FARGATE_STARTUP_ENV]: String(DEFAULT_FARGATE_STARTUP_MS), SHELCASTER_WARM_POOL_SIZE: String(POOL_SIZE) },
  });
  const ctx = new BenchContext(
    { apiUrl: cloud.apiUrl, awsEndpoint: cloud.awsEndpoint, dataDir: cloud.dataDir, pid: cloud.process.pid, origin: 'started', stop: async () => undefined },
    `${runId}-warm`,
  );
  /** Every pool record seen, as last seen (a claimed controller's record is deleted when its session ends). */
  const seen = new Map<string, WarmControllerRecord>();
  const pool = async (): Promise<WarmControllerRecord[]> => {
    const records = await poolRecords(ctx.aws);
    for (const record of records) seen.set(record.taskArn, record);
    return records;
  };
  const idle = (except: ReadonlySet<string>) =>
    eventually(async () => (await pool()).find((r) => r.state === 'IDLE' && !except.has(r.taskArn)), 180_000, 'an idle warm controller', 200);

  const warm: number[] = [];
  const claims: number[] = [];
  const split: Record<string, number[]> = {};
  const add = (name: string, ms: number | undefined) => {
    if (ms !== undefined && Number.isFinite(ms)) (split[name] ??= []).push(ms);
  };
  const failures: string[] = [];
  const notes: string[] = [];
  const used = new Set<string>();
  try {
    // i = 0 is the warm-up (cold Lambdas); then `count` measured starts.
    for (let i = 0; i <= count; i++) {
      if (i > MIN_SESSIONS && outOfTime()) {
        notes.push(`stopped after ${i - 1} measured sessions: the step reached its share of the run's time budget`);
        break;
      }
      const label = i === 0 ? 'warm-up' : `${i}/${count}`;
      try {
        await idle(used);
        // With a pool of two, either idle controller may be claimed: the start must be served by one of those
        // idle when it was posted.
        const idleAtPost = new Set((await pool()).filter((r) => r.state === 'IDLE' && !used.has(r.taskArn)).map((r) => r.taskArn));
        const session = await startSession(await ctx.newHost(), `Bench warm start ${label}`, 180_000);
        const record = await sessionRecord(ctx.aws.dynamodb, session.sessionId);
        if (record?.taskArn) used.add(record.taskArn);
        const live = session.liveAt! - session.postedAt;
        if (!record?.taskArn || !idleAtPost.has(record.taskArn)) {
          failures.push(`session ${label}: not served by a controller idle in the pool when it was posted (${record?.taskArn ?? 'none'}; idle: ${[...idleAtPost].join(', ')})`);
        } else {
          const servedBy = record.taskArn;
          const claimed = (await pool()).find((r) => r.taskArn === servedBy);
          const claimedAt = claimed?.claimedAt ? Date.parse(claimed.claimedAt) : undefined;
          if (claimedAt !== undefined) claims.push(claimedAt);
          const phases = await joinPhases(ctx.aws, session.sessionId);
          const toClaim = claimedAt !== undefined ? claimedAt - session.postedAt : undefined;
          const claimedPhase = phases?.claimed;
          const published = phases?.published;
          const toPublished = claimedPhase !== undefined && published !== undefined ? published - claimedPhase : undefined;
          if (i === 0) {
            notes.push(`The warm-up start (the first in the fresh cloud, not counted): LIVE after ${live} ms, of which POST → claimed ${toClaim ?? '?'} ms (every Lambda on the way started cold) and claimed → published ${toPublished ?? '?'} ms.`);
          } else {
            warm.push(live);
            add('POST → claimed (CreateStage, StartController)', toClaim);
            add('claimed → published (the hand-off, token, join)', toPublished);
          }
          log(`  warm session ${label}: LIVE after ${live} ms`);
        }
        const { final } = await endSession(session);
        if (final.status !== 'ENDED') failures.push(`end ${label}: ${String(final.status)}`);
      } catch (error) {
        failures.push(`session ${label}: ${(error as Error).message}`);
      }
    }
    await pool().catch(() => undefined);
  } finally {
    await cloud.stop();
    await rm(cloud.dataDir, { recursive: true, force: true });
  }
  // Each claim's refill: the first controller started after it (RunTask) that became idle, in order.
  const refill: number[] = [];
  const replacements = [...seen.values()]
    .filter((r) => r.idleSince && claims.length && Date.parse(r.startedAt) >= Math.min(...claims))
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  for (const claimedAt of [...claims].sort((a, b) => a - b)) {
    const index = replacements.findIndex((r) => Date.parse(r.startedAt) >= claimedAt);
    if (index < 0) continue;
    const [next] = replacements.splice(index, 1);
    refill.push(Date.parse(next!.idleSince!) - claimedAt);
    add('refill: claimed → RunTask', Date.parse(next!.startedAt) - claimedAt);
    add('refill: RunTask → idle (Fargate start, Chromium, page)', Date.parse(next!.idleSince!) - Date.parse(next!.startedAt));
  }
  notes.unshift(
    `${warm.length} measured sessions after a warm-up, one at a time, each started once an idle controller was ready, in a local cloud started for these figures with ${FARGATE_STARTUP_ENV}=${DEFAULT_FARGATE_STARTUP_MS} and SHELCASTER_WARM_POOL_SIZE=${POOL_SIZE}.`,
  );
  notes.push(...failures);
  const breakdown = Object.fromEntries(Object.entries(split).map(([name, values]) => [name, summarize(values)]));
  return [
    warm.length === 0
      ? failedFigure(WARM.id, WARM.title, 'ms', WARM.target, failures.join('; ') || 'no session went LIVE on a warm controller')
      : figure({ ...WARM, unit: 'ms', samples: warm, checks: [atMost('p95', summarize(warm).p95, WARM_P95_MS)], breakdown, notes }),
    refill.length === 0
      ? failedFigure(REFILL.id, REFILL.title, 'ms', REFILL.target, failures.join('; ') || 'no refill measured')
      : figure({ ...REFILL, unit: 'ms', samples: refill, notes: ['From the claim (the pool record\'s claimedAt) to the replacement idle (its idleSince).'] }),
  ];
}
