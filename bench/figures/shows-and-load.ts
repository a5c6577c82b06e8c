/** One step for two figures that share live sessions: shows at once, then the API under load on those shows. */
import { endQuietly, startSession, type BenchContext, type BenchSession } from '../client.ts';
import { loadReserveMs } from '../budget.ts';
import { failedFigure, type Figure } from '../figure.ts';
import { loadFigure } from './load.ts';
import { showsAtOnce } from './shows.ts';

export async function showsAndLoadFigures(
  ctx: BenchContext,
  options: { only: readonly string[]; showsCap: number; showsWatchSeconds: number; loadSessions: number; loadSeconds: number; loadConnections: number },
  log: (line: string) => void,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  let sessions: BenchSession[] = [];
  const wants = (id: string) => options.only.length === 0 || options.only.includes(id);
  let loadSessionCount = options.loadSessions;
  try {
    if (wants('shows')) {
      const shows = await showsAtOnce(ctx, { cap: options.showsCap, watchSeconds: options.showsWatchSeconds, reserveMs: wants('load') ? loadReserveMs(options.loadSeconds) : 0 }, log);
      figures.push(shows.figure);
      // More live shows than fit on the machine would measure its overload, not the API (a full run that
      // topped up to 12 got no answer at all, and its end Lambdas timed out): the load runs on the shows
      // that fit, at least one, and the show that did not fit ends first.
      loadSessionCount = Math.min(options.loadSessions, Math.max(1, shows.fit));
      sessions = shows.sessions.slice(0, loadSessionCount);
      await endQuietly(shows.sessions.slice(loadSessionCount), log);
    }
    if (wants('load') && !ctx.outOfTime) {
      try {
        // Top up to the sessions asked for; a start refused (e.g. the composition quota) leaves the load on fewer.
        while (sessions.length < loadSessionCount) sessions.push(await startSession(await ctx.newHost(), `Bench load ${sessions.length + 1}`));
      } catch (error) {
        log(`  could not start more sessions for the load: ${(error as Error).message.slice(0, 200)}`);
      }
      const loadSessions = sessions.slice(0, loadSessionCount);
      log(`  load on ${loadSessions.length} live sessions ...`);
      try {
        if (loadSessions.length === 0) throw new Error('no live session to load');
        figures.push(await loadFigure(ctx, loadSessions, { seconds: options.loadSeconds, connections: options.loadConnections, drainSeconds: Math.max(30, 2 * options.loadSeconds), warmupSeconds: Math.min(5, options.loadSeconds) }, log));
      } catch (error) {
        figures.push(failedFigure('load', 'API under load', 'ms', '≥ 500 accepted/s, p95 ≤ 25 ms, 0 lost', error));
      }
    }
    return figures;
  } finally {
    await endQuietly(sessions, log);
  }
}
