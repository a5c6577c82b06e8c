/**
 * One step of the run for two figures that share live sessions: the controller footprint (watched on the
 * first session from its start) and command → APPLIED (commands over all the sessions).
 */
import { endQuietly, startSession, type BenchContext, type BenchSession } from '../client.ts';
import type { Figure } from '../figure.ts';
import { commandsFigure, sendCommands } from './commands.ts';
import { ControllerWatch, cpuWhilePlaying, footprintFigure } from './footprint.ts';

export async function commandAndFootprintFigures(
  ctx: BenchContext,
  options: { commands: number; sessions: number; footprintSeconds: number },
  log: (line: string) => void,
): Promise<Figure[]> {
  const sessions: BenchSession[] = [];
  let firstId: string | undefined;
  const watch = new ControllerWatch(ctx, () => firstId);
  try {
    sessions.push(await startSession(await ctx.newHost(), 'Bench footprint', 90_000, (id) => (firstId = id)));
    for (let i = 1; i < options.sessions; i++) sessions.push(await startSession(await ctx.newHost(), `Bench commands ${i + 1}`));
    log(`  ${sessions.length} sessions LIVE; measuring the first controller's CPU while a track plays`);
    const media = await Promise.all(sessions.map((s) => ctx.mediaFor(s.api)));
    const playing = watch.pid === undefined ? { cores: Number.NaN, byRole: {}, pssMiB: Number.NaN, residentOnceMiB: Number.NaN } : await cpuWhilePlaying(sessions[0]!, watch.pid, media[0]!, options.footprintSeconds);
    const began = Date.now();
    const { sent, failures, tried } = await sendCommands(sessions, options.commands, media.map((m) => m.programUrl), () => ctx.outOfTime);
    const commands = commandsFigure(sent, failures, options.commands, tried, sessions.length, (Date.now() - began) / 1000);
    await watch.stop();
    return [commands, footprintFigure(watch, playing, options.footprintSeconds)];
  } finally {
    await watch.stop();
    await endQuietly(sessions, log);
  }
}
