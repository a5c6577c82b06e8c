/**
 * Figure "shows at once": live sessions added one by one, each playing the long tone, until a heartbeat is
 * late or command → APPLIED p95 passes 200 ms (or the cap). After each addition: commands round-robin over
 * the live sessions (their p95), then a quiet watch of every controller's timers.
 *
 * Heartbeats are not visible from outside (SendTaskHeartbeat is not in the execution history, and the
 * controller does not log a heartbeat that succeeds), so lateness is read from what is: the controller's
 * now-playing report, a timer of the same event loop with the same 5 s period as the heartbeat (a gap over
 * 5 s + 1.5 s means the controller's timers run late); an OnAir exit (ControllerLost) in the history; and a
 * "Heartbeat failed" line in the controller's logs.
 */
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CONTROLLER_LOG_GROUP, HEARTBEAT_INTERVAL_SECONDS } from '#contract/index';
import { executionHistory } from '#harness/system-session';
import { postCommand, sleep, startSession, waitApplied, type BenchContext, type BenchSession } from '../client.ts';
import { atLeast, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const SHOWS_TARGET = 10;
export const SHOWS_APPLIED_LIMIT_MS = 200;
/** A now-playing report later than this after the previous one counts as a late timer. */
export const LATE_REPORT_MS = HEARTBEAT_INTERVAL_SECONDS * 1000 + 1500;

/**
 * Commands timed after each show is added: two per show live, at least 20. A nearest-rank p95 of 10 samples is
 * their maximum, so one slow command decided a step; of 20 it is the second slowest.
 */
export function commandsPerStep(shows: number): number {
  return Math.max(20, 2 * shows);
}

/** The largest gap (ms) between successive distinct values of a timestamp series. Pure. */
export function largestGap(times: readonly number[]): number {
  const distinct = [...new Set(times)].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < distinct.length; i++) gap = Math.max(gap, distinct[i]! - distinct[i - 1]!);
  return gap;
}

/** Watches the now-playing reports of every session for `seconds`; returns the largest gap per session. */
async function watchReports(sessions: readonly BenchSession[], seconds: number): Promise<number[]> {
  const seen = sessions.map(() => [] as number[]);
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await Promise.all(
      sessions.map(async (s, i) => {
        const view = await s.api.session(s.sessionId).catch(() => undefined);
        const at = view?.nowPlaying?.updatedAt;
        if (at) seen[i]!.push(Date.parse(at));
      }),
    );
    await sleep(500);
  }
  // The time from the last report to the end of the watch counts too (a controller that stopped reporting).
  return seen.map((times) => (times.length === 0 ? seconds * 1000 : Math.max(largestGap(times), until - Math.max(...times))));
}

/** Whether any session's execution left OnAir (ControllerLost) or a controller logged a failed heartbeat. */
async function lostHeartbeats(ctx: BenchContext, sessions: readonly BenchSession[], since: number): Promise<string[]> {
  const found: string[] = [];
  for (const s of sessions) {
    const history = await executionHistory(ctx.aws.sfn, s.executionArn);
    if (history.some((e) => e.stateEnteredEventDetails?.name === 'ControllerLost')) found.push(`${s.sessionId}: ControllerLost`);
  }
  const logs = await ctx.aws.logs
    .send(new FilterLogEventsCommand({ logGroupName: CONTROLLER_LOG_GROUP, startTime: since, filterPattern: '"Heartbeat failed"' }))
    .catch(() => ({ events: [] }));
  const ids = new Set(sessions.map((s) => s.sessionId));
  for (const e of logs.events ?? []) if ([...ids].some((id) => e.message?.includes(id))) found.push(`log: ${e.message?.slice(0, 160)}`);
  return found;
}

export interface ShowsResult {
  figure: Figure;
  /** Sessions still live (the caller ends them). */
  sessions: BenchSession[];
  /** Shows that fit (the figure). */
  fit: number;
}

export async function showsAtOnce(ctx: BenchContext, options: { cap: number; watchSeconds: number; reserveMs: number }, log: (line: string) => void): Promise<ShowsResult> {
  const sessions: BenchSession[] = [];
  const steps: { shows: number; p95: number; largestReportGapMs: number; late: string[] }[] = [];
  const began = Date.now();
  let fit = 0;
  let stopReason = `reached the cap of ${options.cap}`;
  const allLatencies: number[] = [];
  for (let k = 1; k <= options.cap; k++) {
    if (Date.now() > ctx.softDeadline - options.reserveMs) {
      stopReason = `the run reached its time budget at ${k - 1} shows (the count is a lower bound)`;
      break;
    }
    const api = await ctx.newHost();
    let session: BenchSession;
    try {
      session = await startSession(api, `Bench show ${k}`);
    } catch (error) {
      stopReason = `show ${k} did not go LIVE: ${(error as Error).message}`;
      break;
    }
    sessions.push(session);
    const media = await ctx.mediaFor(api);
    await waitApplied(session, await postCommand(session, { type: 'PLAY_MEDIA', programId: 'bench-show', programUrl: media.programUrl }));
    const latencies: number[] = [];
    for (let i = 0; i < commandsPerStep(sessions.length); i++) {
      const target = sessions[i % sessions.length]!;
      const sent = await waitApplied(target, await postCommand(target, { type: 'SET_VOLUME', volume: 0.5 + (i % 5) / 10 }));
      if (sent.appliedAt !== undefined) latencies.push(sent.appliedAt - sent.postedAt);
    }
    allLatencies.push(...latencies);
    const gaps = await watchReports(sessions, options.watchSeconds);
    const late = [
      ...gaps.flatMap((gap, i) => (gap > LATE_REPORT_MS ? [`${sessions[i]!.sessionId}: now-playing report ${gap} ms after the previous`] : [])),
      ...(await lostHeartbeats(ctx, sessions, began)),
    ];
    const p95 = summarize(latencies).p95;
    steps.push({ shows: k, p95, largestReportGapMs: Math.max(0, ...gaps), late });
    log(`  ${k} shows live: command → APPLIED p95 ${p95} ms, largest now-playing gap ${Math.max(0, ...gaps)} ms${late.length ? `, LATE: ${late[0]}` : ''}`);
    if (late.length) {
      stopReason = `at ${k} shows a timer was late: ${late.join('; ')}`;
      break;
    }
    if (p95 > SHOWS_APPLIED_LIMIT_MS) {
      stopReason = `at ${k} shows command → APPLIED p95 was ${p95} ms (> ${SHOWS_APPLIED_LIMIT_MS} ms)`;
      break;
    }
    fit = k;
  }
  return {
    sessions,
    fit,
    figure: figure({
      id: 'shows',
      title: 'shows at once',
      unit: 'shows',
      target: `≥ ${SHOWS_TARGET} (cap ${options.cap} on this machine; the local IVS's composition quota raised to it)`,
      samples: [fit],
      checks: [atLeast('shows live with heartbeats on time and command → APPLIED p95 ≤ 200 ms', fit, SHOWS_TARGET)],
      values: { shows: fit, cap: options.cap, ...Object.fromEntries(steps.map((s) => [`p95 ms at ${s.shows}`, s.p95])) },
      notes: [
        `Sessions added one by one (one host each), each playing the long tone; after each, max(20, 2 × shows) SET_VOLUME commands round-robin (each waits for the one before to be applied), then a ${options.watchSeconds} s watch of every controller's now-playing reports (late: a gap over ${LATE_REPORT_MS} ms), the executions (ControllerLost) and the controller logs ("Heartbeat failed"). Stopped: ${stopReason}. ${Math.round((Date.now() - began) / 1000)} s.`,
        ...steps.map((s) => `${s.shows} live: command → APPLIED p95 ${s.p95} ms, largest now-playing gap ${s.largestReportGapMs} ms${s.late.length ? ` — late: ${s.late.join('; ')}` : ''}`),
      ],
    }),
  };
}
