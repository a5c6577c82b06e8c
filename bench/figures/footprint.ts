/**
 * Figure "controller footprint": peak RSS of a controller's process tree (the controller and its Chromium
 * processes), sampled from /proc from its start through playing and commands, and the CPU the tree uses
 * while a track plays (utime + stime deltas).
 */
import type { CommandInput } from '#contract/index';
import { controllerProcess } from '#harness/system-session';
import { eventually } from '#harness/eventually';
import { postCommand, sleep, waitApplied, type BenchContext, type BenchSession } from '../client.ts';
import type { BenchMedia } from '../media.ts';
import { atMost, figure, type Figure } from '../figure.ts';
import { cpuCores, cpuCoresByRole, processRole, RssSampler } from '../footprint-sampler.ts';
import { commandLine, processTree, pssBytes, residentBytesOnce } from '../procfs.ts';

export const RSS_TARGET_MIB = 350;
export const CPU_TARGET_CORES = 0.15;

/** Watches a session's controller from the moment its task runs. */
export class ControllerWatch {
  sampler: RssSampler | undefined;
  pid: number | undefined;
  private stopped = false;
  private readonly found: Promise<void>;

  constructor(ctx: BenchContext, sessionId: () => string | undefined) {
    this.found = (async () => {
      while (!this.stopped) {
        const id = sessionId();
        const controller = id ? await controllerProcess(ctx.aws.ecs, id).catch(() => undefined) : undefined;
        if (controller) {
          this.pid = controller.pid;
          this.sampler = new RssSampler(controller.pid).start();
          return;
        }
        await sleep(100);
      }
    })();
  }

  /** Stops sampling. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.found;
    await this.sampler?.stop();
  }
}

/**
 * Plays every deck at once — the 60-minute MP3 as the bed, the long tone on the program deck, two 30-second
 * clips — and measures the tree's CPU for `seconds`; returns the cores used and the tree's PSS at the end.
 */
export async function cpuWhilePlaying(session: BenchSession, pid: number, media: BenchMedia, seconds: number): Promise<CpuWhilePlaying> {
  const commands: CommandInput[] = [
    { type: 'PLAY_MEDIA', programId: 'bench-bed', programUrl: media.hourUrl, deck: 'bed', startAtSeconds: 1200 },
    { type: 'PLAY_MEDIA', programId: 'bench-footprint', programUrl: media.programUrl },
    { type: 'PLAY_MEDIA', programId: 'bench-clip-1', programUrl: media.clipUrl, deck: 'clip' },
    { type: 'PLAY_MEDIA', programId: 'bench-clip-2', programUrl: media.clipUrl, deck: 'clip' },
  ];
  for (const command of commands) {
    const play = await waitApplied(session, await postCommand(session, command));
    if (play.status !== 'APPLIED') throw new Error(`PLAY_MEDIA ${String(play.status)}: ${play.reason ?? ''}`);
  }
  await eventually(
    async () => (await session.api.session(session.sessionId)).nowPlaying?.state === 'PLAYING' || undefined,
    10_000,
    'the track to play',
    100,
  );
  await sleep(1000);
  const before = processTree(pid);
  const began = Date.now();
  await sleep(seconds * 1000);
  const after = processTree(pid);
  const elapsed = (Date.now() - began) / 1000;
  const roles = after.map((p) => ({ ...p, role: processRole(commandLine(p.pid)) }));
  const once = await residentBytesOnce(after.map((p) => p.pid));
  return {
    cores: cpuCores(before, after, elapsed),
    byRole: cpuCoresByRole(before, roles, elapsed),
    pssMiB: after.reduce((n, p) => n + pssBytes(p.pid), 0) / 2 ** 20,
    residentOnceMiB: once === undefined ? Number.NaN : once / 2 ** 20,
  };
}

export interface CpuWhilePlaying {
  /** Cores the tree used. */
  cores: number;
  /** The same, by process (node, browser, renderer, audio, gpu, utility). */
  byRole: Record<string, number>;
  pssMiB: number;
  /** The tree's memory with each resident page once (residentBytesOnce) at the end of the window; NaN if unreadable. */
  residentOnceMiB: number;
}

/** The figure from a watch and the CPU measured. */
export function footprintFigure(watch: ControllerWatch, playing: CpuWhilePlaying, seconds: number): Figure {
  const cores = playing.cores;
  const peakMiB = (watch.sampler?.peakBytes ?? Number.NaN) / 2 ** 20;
  const peakPssMiB = (watch.sampler?.peakPssBytes ?? Number.NaN) / 2 ** 20;
  const onceBytes = watch.sampler?.peakResidentOnceBytes;
  // Each page once is what the tree holds alone (a Fargate task); PSS only when the frames cannot be read.
  const checked = onceBytes !== undefined
    ? { name: 'peak memory, each resident page once: PSS as if alone (MiB)', mib: onceBytes / 2 ** 20 }
    : { name: 'peak memory, PSS summed (MiB; the pages could not be counted one by one: not root)', mib: peakPssMiB };
  return figure({
    id: 'footprint',
    title: 'controller footprint',
    unit: 'MiB',
    target: 'peak PSS as in its own task (each resident page once) ≤ 350 MiB (task has 1024 MiB) with a 60-minute bed, a program track and two clips playing; CPU ≤ 0.15 core',
    samples: Number.isFinite(checked.mib) ? [checked.mib] : [],
    checks: [atMost(checked.name, checked.mib, RSS_TARGET_MIB), atMost('CPU while every deck plays (cores)', cores, CPU_TARGET_CORES)],
    values: { peakResidentOnceMiB: onceBytes === undefined ? Number.NaN : onceBytes / 2 ** 20, residentOnceSamples: watch.sampler?.residentOnceSamples ?? 0, peakResidentOnceAtSeconds: watch.sampler?.peakResidentOnceAtSeconds ?? Number.NaN, residentOnceWhileEveryDeckPlaysMiB: playing.residentOnceMiB, peakPssMiB, pssWhileFirstTrackPlaysMiB: playing.pssMiB, peakRssSumMiB: peakMiB, cpuCores: cores, ...Object.fromEntries(Object.entries(playing.byRole).map(([role, used]) => [`cpuCores.${role}`, used])), peakPssAnonMiB: (watch.sampler?.peakPssAnonBytes ?? Number.NaN) / 2 ** 20, peakPssExecutableMiB: (watch.sampler?.peakPssExecutableBytes ?? Number.NaN) / 2 ** 20, peakPssAtSeconds: watch.sampler?.peakPssAtSeconds ?? Number.NaN, ...Object.fromEntries(Object.entries(watch.sampler?.peakPssByRole ?? {}).map(([role, bytes]) => [`peakPssMiB.${role}`, bytes / 2 ** 20])), rssSamples: watch.sampler?.samples ?? 0, processesAtPeak: watch.sampler?.peakProcesses ?? 0 },
    notes: [
      `Memory of the controller's process tree (node + Chromium browser, renderer, GPU/utility processes) sampled from /proc every 250 ms, from the task's start through joining, playing and the command figure's commands. The checked figure (peakResidentOnceMiB) counts each physical page the tree has resident once, whoever else maps it (the frames of /proc/<pid>/pagemap, read as root, every 2 s and at each new PSS peak, giving way to the benchmark's own requests every 64 mappings; residentOnceSamples of them; the peak at peakResidentOnceAtSeconds from the task's start): the tree's PSS as it would be alone, as in its own Fargate task. residentOnceWhileEveryDeckPlaysMiB is the same count at the end of the CPU window below, while every deck plays and before the command figure's commands. PSS summed over the tree (peakPssMiB, smaps_rollup) divides a page among every process on the machine that maps it, so it shrinks as other Chromiums run beside it: with the command figure's three controllers it read ~315 MiB, with one ~405 MiB, for the same tree. peakPssAnonMiB is the peak of its anonymous part (heaps and stacks, without the pages of mapped files); peakPssExecutableMiB is the part of the PSS peak that is the processes' own executables mapped (Chromium's binary, most of it mapped by some process of the tree: its code is touched all over and the kernel maps 64 KiB around each page fault; and node's); peakPssAtSeconds is when the PSS peak came (from the task's start), peakPssMiB.<process> what each kind of process held then. RSS summed (peakRssSumMiB) counts Chromium's shared pages once per process and overstates it.`,
      `CPU: utime + stime of the tree over ${seconds} s while every deck plays (a 60-minute MP3 as the bed from 20:00, the 6-minute tone on the program deck, two 30-second MP3 clips), after 1 s to settle; cpuCores.<process> splits it by process (node, Chromium's browser, renderer, audio service, ...); pssWhileFirstTrackPlaysMiB is the tree's PSS at the end of that window, before the command figure's commands.`,
    ],
  });
}
