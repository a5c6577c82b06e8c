/** The machine a run was taken on: cores, memory, Node, Chromium, ffmpeg. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { chromiumPath } from '#harness/chromium';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  chromium: string;
  ffmpeg: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run ended (the machine is shared). */
  loadAverage: number[];
}

function versionOf(program: string, args: string[]): string {
  try {
    return execFileSync(program, args, { encoding: 'utf8', timeout: 10_000 }).split('\n')[0]!.trim();
  } catch {
    return 'not found';
  }
}

/** Describes this machine. */
export function describeMachine(chromiumExecutable = chromiumPath()): Machine {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    chromium: `${versionOf(chromiumExecutable, ['--version'])} (the controller's: ${chromiumExecutable})`,
    ffmpeg: versionOf('ffmpeg', ['-hide_banner', '-version']),
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
