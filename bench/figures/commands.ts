/**
 * Figure "command → APPLIED": commands of every type POSTed one at a time, round-robin over several live
 * sessions; each is timed from the moment its POST was sent to the appliedAt the controller recorded.
 */
import { COMMAND_TYPES, type CommandInput } from '#contract/index';
import { postCommand, waitApplied, type BenchSession, type SentCommand } from '../client.ts';
import { atMost, figure, MIN_SAMPLES, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const APPLIED_TARGET_MS = 100;

/** The i-th command of a session's cycle: play, then every other type, so each type is sent as often. */
export function commandCycle(i: number, programUrl: string): CommandInput {
  const cycle: CommandInput[] = [
    { type: 'PLAY_MEDIA', programId: 'bench-program', programUrl },
    { type: 'SET_VOLUME', volume: 0.5 },
    { type: 'PAUSE_MEDIA' },
    { type: 'RESUME_MEDIA' },
    { type: 'SEEK_MEDIA', seconds: 30 },
    { type: 'STOP_MEDIA' },
  ];
  return cycle[i % cycle.length]!;
}

/**
 * Sends `count` commands over the sessions and waits for each to be applied; returns what was accepted and
 * how many were tried (fewer than `count` when the run's time budget stopped it: those were never sent).
 */
export async function sendCommands(
  sessions: readonly BenchSession[],
  count: number,
  programUrls: readonly string[],
  outOfTime: () => boolean = () => false,
): Promise<{ sent: SentCommand[]; failures: string[]; tried: number }> {
  const sent: SentCommand[] = [];
  const failures: string[] = [];
  let tried = 0;
  for (let i = 0; i < count; i++) {
    if (outOfTime() && i >= MIN_SAMPLES * 3) {
      failures.push(`stopped after ${i} commands: the run reached its time budget`);
      break;
    }
    tried++;
    const session = sessions[i % sessions.length]!;
    const command = commandCycle(Math.floor(i / sessions.length), programUrls[i % sessions.length]!);
    try {
      const s = await waitApplied(session, await postCommand(session, command));
      sent.push(s);
      if (s.status !== 'APPLIED') failures.push(`${command.type} ${s.status}`);
    } catch (error) {
      failures.push(`${command.type}: ${(error as Error).message}`);
    }
  }
  return { sent, failures, tried };
}

/** The figure from the commands sent: of the `tried` (POSTed), every one must be APPLIED. */
export function commandsFigure(sent: readonly SentCommand[], failures: readonly string[], asked: number, tried: number, sessions: number, seconds: number): Figure {
  const applied = sent.filter((s) => s.status === 'APPLIED' && s.appliedAt !== undefined);
  const samples = applied.map((s) => s.appliedAt! - s.postedAt);
  const byType = Object.fromEntries(
    COMMAND_TYPES.map((type) => [type, summarize(applied.filter((s) => s.type === type).map((s) => s.appliedAt! - s.postedAt))]),
  );
  const withAccepted = applied.filter((s) => s.acceptedAt !== undefined);
  return figure({
    id: 'commands',
    title: 'command → APPLIED',
    unit: 'ms',
    target: 'p95 ≤ 100 ms',
    samples,
    checks: [atMost('p95', summarize(samples).p95, APPLIED_TARGET_MS), atMost('commands not applied', tried - applied.length, 0)],
    breakdown: {
      'POST sent → acceptedAt (API)': summarize(withAccepted.map((s) => s.acceptedAt! - s.postedAt)),
      'acceptedAt → appliedAt (queue + controller)': summarize(withAccepted.map((s) => s.appliedAt! - s.acceptedAt!)),
      ...byType,
    },
    notes: [
      `${asked} commands asked for, ${tried} sent, ${sent.length} accepted, over ${sessions} live sessions, one at a time (each waits for the previous to be applied), every type in turn; ${Math.round(seconds)} s.`,
      'Latency: appliedAt recorded by the controller minus the time the POST was sent (one machine, one clock).',
      ...failures.slice(0, 10),
    ],
  });
}
