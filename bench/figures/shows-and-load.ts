/** One step for two figures that share live sessions: shows at once, then the API under load on those shows. */
import { endQuietly, startSession, type BenchContext, type BenchSession } from '../client.ts';
import type { Figure } from '../figure.ts';
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
  try {
    if (wants('shows')) {
      const shows = await showsAtOnce(ctx, { cap: options.showsCap, watchSeconds: options.showsWatchSeconds, reserveMs: wants('load') ? (options.loadSeconds * 3 + 60) * 1000 : 0 }, log);
      sessions = shows.sessions;
      figures.push(shows.figure);
    }
    if (wants('load') && !ctx.outOfTime) {
      while (sessions.length < options.loadSessions) sessions.push(await startSession(await ctx.newHost(), `Bench load ${sessions.length + 1}`));
      log(`  load on ${options.loadSessions} live sessions ...`);
      figures.push(await loadFigure(ctx, sessions.slice(0, options.loadSessions), { seconds: options.loadSeconds, connections: options.loadConnections, drainSeconds: Math.max(30, 2 * options.loadSeconds), warmupSeconds: Math.min(5, options.loadSeconds) }, log));
    }
    return figures;
  } finally {
    await endQuietly(sessions);
  }
}
