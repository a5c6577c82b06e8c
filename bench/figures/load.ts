/**
 * Figure "API under load": autocannon POSTs SET_VOLUME commands over many connections for a fixed time to
 * live sessions (each connection keeps to one session, as one host's console would). Counted: accepted (202)
 * per second and their latency; refused ones (429 once the per-session rate limit applies) are counted apart
 * and not as accepted. Then nothing may be lost: every accepted command must be APPLIED, once, and each
 * connection's commands applied in the order they were accepted (read from the sessions table).
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { operationPath, SESSIONS_TABLE_NAME } from '#contract/index';
import { sleep, type BenchContext, type BenchSession } from '../client.ts';
import { atLeast, atMost, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const ACCEPTED_PER_SECOND_TARGET = 500;
export const LOAD_P95_TARGET_MS = 25;

/** One connection's view: its session and the commands it had accepted, in order. */
interface ConnectionContext {
  session?: number;
  sentAt?: number;
  accepted?: string[];
}

interface StoredCommand {
  status: string;
  appliedAt: number;
  attempts: number;
}

/** Every command record of a session, by command id (a Query on the session's partition). */
async function storedCommands(ctx: BenchContext, sessionId: string): Promise<Map<string, StoredCommand>> {
  const out = new Map<string, StoredCommand>();
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await ctx.aws.dynamodb.send(
      new QueryCommand({
        TableName: SESSIONS_TABLE_NAME,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': { S: `SESSION#${sessionId}` }, ':c': { S: 'COMMAND#' } },
        ProjectionExpression: 'commandId, #s, appliedAt, attempts',
        ExpressionAttributeNames: { '#s': 'status' },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      out.set(item.commandId?.S ?? '', {
        status: item.status?.S ?? '',
        appliedAt: item.appliedAt?.S ? Date.parse(item.appliedAt.S) : Number.NaN,
        attempts: Number(item.attempts?.N ?? 0),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Commands accepted in one connection's order whose appliedAt goes backwards. Pure. */
export function outOfOrder(acceptedInOrder: readonly string[], appliedAt: (id: string) => number): number {
  let count = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const id of acceptedInOrder) {
    const at = appliedAt(id);
    if (!Number.isFinite(at)) continue;
    if (at < last) count++;
    else last = at;
  }
  return count;
}

export async function loadFigure(
  ctx: BenchContext,
  sessions: readonly BenchSession[],
  options: { seconds: number; connections: number; drainSeconds: number; warmupSeconds: number },
  log: (line: string) => void,
): Promise<Figure> {
  // Warm-up at the same concurrency, not counted: the local Lambda starts one execution environment per
  // concurrent request (a cold start each), as Lambda does.
  const warmup = await cannon(ctx, sessions, options.connections, options.warmupSeconds);
  log(`  warm-up ${options.warmupSeconds} s: ${warmup.accepted().length} accepted (not counted)`);
  const run = await cannon(ctx, sessions, options.connections, options.seconds);
  const { contexts, latencies, statuses, result } = run;
  const accepted = run.accepted();
  log(`  ${accepted.length} accepted in ${options.seconds} s (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}); waiting for them to be applied`);
  // Every accepted command counts for loss and order, the warm-up's too.
  const everyAccepted = [...warmup.accepted(), ...accepted];
  const everyContext = [...warmup.contexts, ...contexts];

  // Wait (bounded) until every accepted command has a result.
  const drainStart = Date.now();
  let stored = new Map<string, StoredCommand>();
  for (;;) {
    stored = new Map();
    for (const s of sessions) for (const [id, c] of await storedCommands(ctx, s.sessionId)) stored.set(id, c);
    const pending = everyAccepted.filter((id) => stored.get(id)?.status === 'QUEUED' || !stored.has(id)).length;
    if (pending === 0 || Date.now() - drainStart > options.drainSeconds * 1000) break;
    await sleep(1000);
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;
  const applied = everyAccepted.filter((id) => stored.get(id)?.status === 'APPLIED');
  const failed = everyAccepted.filter((id) => stored.get(id)?.status === 'FAILED').length;
  const lost = everyAccepted.length - applied.length;
  const redelivered = applied.filter((id) => (stored.get(id)?.attempts ?? 0) > 1).length;
  const misordered = everyContext.reduce((n, c) => n + outOfOrder(c.accepted ?? [], (id) => stored.get(id)?.appliedAt ?? Number.NaN), 0);
  const appliedTimes = applied.map((id) => stored.get(id)!.appliedAt);
  const acceptedPerSecond = accepted.length / options.seconds;
  const p95 = summarize(latencies).p95;
  return figure({
    id: 'load',
    title: 'API under load',
    unit: 'ms',
    target: '≥ 500 accepted/s, p95 ≤ 25 ms, 0 lost (each accepted command applied once, in order)',
    samples: latencies,
    checks: [
      atLeast('accepted per second', acceptedPerSecond, ACCEPTED_PER_SECOND_TARGET),
      atMost('p95', p95, LOAD_P95_TARGET_MS),
      atMost('lost (accepted, not APPLIED)', lost, 0),
      atMost('applied out of order', misordered, 0),
    ],
    values: {
      acceptedPerSecond,
      accepted: accepted.length,
      acceptedInWarmup: everyAccepted.length - accepted.length,
      sent: result.requests.sent,
      rateLimited429: statuses.get(429) ?? 0,
      otherNon202: [...statuses].filter(([s]) => s !== 202 && s !== 429).reduce((n, [, c]) => n + c, 0),
      connectionErrors: result.errors,
      timeouts: result.timeouts,
      failed,
      lost,
      redeliveredAttemptsOver1: redelivered,
      outOfOrder: misordered,
      drainSeconds,
      appliedPerSecondDuringDrain: appliedTimes.length ? appliedTimes.length / Math.max(0.001, (Math.max(...appliedTimes) - Math.min(...appliedTimes)) / 1000) : 0,
      autocannonP97_5: result.latency.p97_5,
    },
    notes: [
      `autocannon: a ${options.warmupSeconds} s warm-up (not counted), then ${options.connections} connections for ${options.seconds} s, SET_VOLUME POSTs to ${sessions.length} live sessions (one host each; each connection keeps to one session). Responses: ${[...statuses].map(([s, n]) => `${s} × ${n}`).join(', ')}.`,
      'Only accepted (202) commands count, as do only their latencies; refused ones (429 RATE_LIMITED: at most 50 commands/s per session, burst 100) are reported apart — with the rate limit, ≥ 500 accepted/s needs ≥ 10 sessions. In a full run the load goes to the shows that fit on the machine (the shows figure), no more.',
      `Then up to ${options.drainSeconds} s for every accepted command to get a result (took ${Math.round(drainSeconds)} s); checked from the sessions table: status APPLIED, and per connection appliedAt never going back in acceptance order. attempts > 1 (redelivered by SQS) is reported, not failed: the controller's conditional write records one result.`,
    ],
  });
}

/** Runs autocannon for `seconds`; each connection keeps to one session and remembers what it had accepted. */
async function cannon(ctx: BenchContext, sessions: readonly BenchSession[], connections: number, seconds: number) {
  const contexts: ConnectionContext[] = [];
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let nextSession = 0;
  const result = await autocannon({
    url: ctx.cloud.apiUrl,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, raw) => {
          const context = raw as ConnectionContext;
          if (context.session === undefined) {
            context.session = nextSession++ % sessions.length;
            context.accepted = [];
            contexts.push(context);
          }
          const session = sessions[context.session]!;
          context.sentAt = performance.now();
          return {
            ...request,
            method: 'POST',
            path: operationPath('enqueueCommand', { sessionId: session.sessionId }),
            headers: { ...request.headers, authorization: session.api.authorization, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'SET_VOLUME', volume: Math.round(Math.random() * 100) / 100 }),
          };
        },
        onResponse: (status, body, raw) => {
          const context = raw as ConnectionContext;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 202) return;
          if (context.sentAt !== undefined) latencies.push(performance.now() - context.sentAt);
          try {
            context.accepted!.push((JSON.parse(body) as { commandId: string }).commandId);
          } catch {
            // counted by status; an unreadable body cannot be checked later
          }
        },
      },
    ],
  });
  return { contexts, latencies, statuses, result, accepted: () => contexts.flatMap((c) => c.accepted ?? []) };
}
