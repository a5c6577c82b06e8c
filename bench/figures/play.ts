/**
 * Figure "PLAY → APPLIED, any length": PLAY_MEDIA of a 60-minute MP3 (program deck) and of a 2-second jingle
 * (clip deck), in turn, one at a time on one live session; each timed from the moment its POST was sent to
 * the appliedAt the controller recorded (the track is streamed: APPLIED once its first audio plays).
 */
import { endQuietly, postCommand, startSession, waitApplied, type BenchContext, type BenchSession, type SentCommand } from '../client.ts';
import { atMost, figure, MIN_SAMPLES, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const PLAY_TARGET_MS = 100;

export async function playFigure(ctx: BenchContext, count: number, log: (line: string) => void): Promise<Figure> {
  const sessions: BenchSession[] = [];
  try {
    sessions.push(await startSession(await ctx.newHost(), 'Bench play'));
    const session = sessions[0]!;
    const media = await ctx.mediaFor(session.api);
    const hour: SentCommand[] = [];
    const jingle: SentCommand[] = [];
    const failures: string[] = [];
    log(`  ${count} PLAYs of each, in turn`);
    for (let i = 0; i < count * 2 && (!ctx.outOfTime || i < MIN_SAMPLES * 2); i++) {
      const long = i % 2 === 0;
      const command = long
        ? ({ type: 'PLAY_MEDIA', programId: 'bench-hour', programUrl: media.hourUrl, startAtSeconds: (i * 97) % 3500 } as const)
        : ({ type: 'PLAY_MEDIA', programId: 'bench-jingle', programUrl: media.jingleUrl, deck: 'clip' } as const);
      try {
        const sent = await waitApplied(session, await postCommand(session, command));
        if (sent.status !== 'APPLIED') failures.push(`${command.programId} ${String(sent.status)}: ${sent.reason ?? ''}`);
        else (long ? hour : jingle).push(sent);
        // Jingles overlap (each sounds 2 s): clear them now and then, under the most that may sound at once.
        if (!long && jingle.length % 6 === 5) await waitApplied(session, await postCommand(session, { type: 'STOP_MEDIA', deck: 'clip' }));
      } catch (error) {
        failures.push(`${command.programId}: ${(error as Error).message}`);
      }
    }
    const latency = (sent: readonly SentCommand[]) => sent.map((s) => s.appliedAt! - s.postedAt);
    const hourSummary = summarize(latency(hour));
    const jingleSummary = summarize(latency(jingle));
    return figure({
      id: 'play',
      title: 'PLAY → APPLIED: 60-minute MP3 and 2-second jingle',
      unit: 'ms',
      target: 'p95 ≤ 100 ms for each',
      samples: [...latency(hour), ...latency(jingle)],
      checks: [
        atMost('60-minute MP3 p95', hourSummary.p95, PLAY_TARGET_MS),
        atMost('2-second jingle p95', jingleSummary.p95, PLAY_TARGET_MS),
        atMost('PLAYs not applied', count * 2 - hour.length - jingle.length, 0),
      ],
      breakdown: {
        '60-minute MP3 (program deck, a new start offset each time)': hourSummary,
        '2-second jingle (clip deck)': jingleSummary,
        'POST sent → acceptedAt (API)': summarize([...hour, ...jingle].filter((s) => s.acceptedAt).map((s) => s.acceptedAt! - s.postedAt)),
      },
      notes: [
        `${count} PLAYs of each asked for, in turn, one at a time on one live session; the MP3 starts at a different offset each time (a ranged read where it lands).`,
        'Latency: appliedAt recorded by the controller minus the time the POST was sent (one machine, one clock).',
        ...failures.slice(0, 10),
      ],
    });
  } finally {
    await endQuietly(sessions, log);
  }
}
