/**
 * Samples the controller's footprint from /proc: the resident memory of its process tree (the controller and
 * its Chromium processes), peak over the samples, and the CPU the tree used between two snapshots.
 */
import { CLOCK_TICKS_PER_SECOND, commandLine, executablePssBytes, processTree, pssParts, residentBytesOnce, type ProcStat } from './procfs.ts';

/** How often the tree's pages are counted one by one (residentBytesOnce: ~0.1 s of the bench's CPU each, given way every 64 mappings). */
const RESIDENT_ONCE_EVERY_MS = 2000;
/** A new PSS peak counts the pages again, at most this often. */
const RESIDENT_ONCE_AT_PEAK_EVERY_MS = 500;

/** Total resident bytes of a tree. */
export function treeRss(tree: readonly ProcStat[]): number {
  return tree.reduce((sum, p) => sum + p.rssBytes, 0);
}

/** CPU (cores) used between two snapshots of a tree: ticks gained by processes in the later one over the seconds. */
export function cpuCores(before: readonly ProcStat[], after: readonly ProcStat[], seconds: number): number {
  return cpuCoresByRole(before, after.map((p) => ({ ...p, role: 'tree' })), seconds).tree ?? 0;
}

/** What a process of the controller's tree is, from its command line: node, or which Chromium process. */
export function processRole(commandLine: string): string {
  const type = /--type=([\w-]+)/.exec(commandLine)?.[1];
  if (!type) return /chrom/.test(commandLine.split(' ')[0] ?? '') ? 'browser' : 'node';
  if (type === 'utility') return /--utility-sub-type=audio\./.test(commandLine) ? 'audio' : 'utility';
  return type === 'gpu-process' ? 'gpu' : type;
}

/** CPU (cores) used between two snapshots, by role (processRole of each process's command line). */
export function cpuCoresByRole(before: readonly ProcStat[], after: readonly (ProcStat & { role: string })[], seconds: number): Record<string, number> {
  const earlier = new Map(before.map((p) => [p.pid, p.cpuTicks]));
  const byRole: Record<string, number> = {};
  for (const p of after) byRole[p.role] = (byRole[p.role] ?? 0) + (p.cpuTicks - (earlier.get(p.pid) ?? 0)) / CLOCK_TICKS_PER_SECOND / seconds;
  return byRole;
}

/** Samples a tree's RSS every `intervalMs` until stopped. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  /** Peak of the summed RSS (shared pages counted once per process). */
  peakBytes = 0;
  /** Peak of the summed PSS (shared pages divided among their sharers: what the tree holds together). */
  peakPssBytes = 0;
  samples = 0;
  peakProcesses = 0;
  /** Peak of the summed anonymous PSS (pssParts' anon: without mapped files, which other Chromiums share). */
  peakPssAnonBytes = 0;
  /** Seconds from the sampler's start to the PSS peak, and the PSS by process role (processRole) then. */
  peakPssAtSeconds = 0;
  peakPssByRole: Record<string, number> = {};
  /** Of the PSS peak, the pages of the processes' own executables (Chromium's binary, node's) mapped then. */
  peakPssExecutableBytes = 0;
  /**
   * Peak of the tree's resident memory with each page counted once, shared with other processes or not
   * (residentBytesOnce): what it would hold alone, as in its own Fargate task. Undefined if not readable.
   */
  peakResidentOnceBytes: number | undefined = undefined;
  residentOnceSamples = 0;
  /** Seconds from the sampler's start to that peak. */
  peakResidentOnceAtSeconds = 0;
  private residentOnceAt = Number.NEGATIVE_INFINITY;
  /** The count of the tree's pages in progress (one at a time). */
  private counting: Promise<void> | undefined;
  private startedAt = 0;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.startedAt = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Stops sampling; resolves once a count of the tree's pages in progress has ended. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.counting;
  }

  private async countResidentOnce(pids: number[]): Promise<void> {
    const once = await residentBytesOnce(pids);
    if (once === undefined) return;
    this.residentOnceSamples++;
    if (once > (this.peakResidentOnceBytes ?? 0)) {
      this.peakResidentOnceBytes = once;
      this.peakResidentOnceAtSeconds = (Date.now() - this.startedAt) / 1000;
    }
  }

  private sample(): void {
    const tree = processTree(this.rootPid);
    if (tree.length === 0) return;
    this.samples++;
    const rss = treeRss(tree);
    const pss = tree.map((p) => ({ pid: p.pid, ...pssParts(p.pid) }));
    const pssSum = pss.reduce((sum, p) => sum + p.pss, 0);
    this.peakPssAnonBytes = Math.max(this.peakPssAnonBytes, pss.reduce((sum, p) => sum + p.anon, 0));
    const sinceCounted = Date.now() - this.residentOnceAt;
    const due = sinceCounted >= RESIDENT_ONCE_EVERY_MS || (pssSum > this.peakPssBytes && sinceCounted >= RESIDENT_ONCE_AT_PEAK_EVERY_MS);
    if (due && !this.counting) {
      this.residentOnceAt = Date.now();
      this.counting = this.countResidentOnce(tree.map((p) => p.pid)).finally(() => {
        this.counting = undefined;
      });
    }
    if (pssSum > this.peakPssBytes) {
      this.peakPssBytes = pssSum;
      this.peakPssAtSeconds = (Date.now() - this.startedAt) / 1000;
      this.peakPssByRole = {};
      this.peakPssExecutableBytes = tree.reduce((sum, p) => sum + executablePssBytes(p.pid), 0);
      for (const p of pss) {
        const role = processRole(commandLine(p.pid));
        this.peakPssByRole[role] = (this.peakPssByRole[role] ?? 0) + p.pss;
      }
    }
    if (rss > this.peakBytes) {
      this.peakBytes = rss;
      this.peakProcesses = tree.length;
    }
  }
}
