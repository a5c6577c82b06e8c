/**
 * A container of a local task: a child process in its own process group (so stopping it reaches everything
 * it started, e.g. Chromium), its output sent line by line to the log sink as the awslogs driver does, and
 * the ECS stop sequence (SIGTERM, then SIGKILL after the stop timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { LogSink } from '#local-cloud/gateway/internal';
import type { Clock, TimerHandle } from '#local-cloud/clock';

export interface ContainerLaunch {
  argv: string[];
  cwd: string;
  environment: Record<string, string>;
  /** awslogs destination, if the container has one. */
  log?: { group: string; stream: string };
}

export interface ContainerProcessDependencies {
  logs: LogSink;
  clock: Clock;
}

/** A container process could not be started (`CannotStartContainerError`). */
export class ContainerStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContainerStartError';
  }
}

/** Exit code as Docker reports it: the process's code, or 128 + the signal number. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/** Sends a signal to a whole process group; false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks), or undefined where there is no /proc. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export class ContainerProcess {
  readonly exited: Promise<number>;
  private child?: ChildProcess;
  private killTimer: TimerHandle | undefined;
  private exitCode?: number;
  private resolveExit!: (code: number) => void;

  constructor(
    private readonly launch: ContainerLaunch,
    private readonly deps: ContainerProcessDependencies,
  ) {
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  /** Spawns the process; resolves once it runs, rejects with ContainerStartError if it cannot start. */
  start(): Promise<number> {
    const [command, ...args] = this.launch.argv;
    if (!command) return Promise.reject(new ContainerStartError('the container has no command'));
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: this.launch.cwd,
        env: this.launch.environment,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      this.forward(child.stdout!);
      this.forward(child.stderr!);
      child.once('error', (error) => {
        if (child.pid === undefined) reject(new ContainerStartError(`failed to start ${command}: ${error.message}`, { cause: error }));
      });
      child.once('spawn', () => resolve(child.pid!));
      child.once('exit', (code, signal) => this.onExit(exitCodeOf(code, signal)));
    });
  }

  /** ECS's stop: SIGTERM to the group, SIGKILL when it has not exited after `stopTimeoutSeconds`. */
  stop(stopTimeoutSeconds: number): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running || this.killTimer !== undefined) return;
    signalGroup(pid, 'SIGTERM');
    this.killTimer = this.deps.clock.setTimeout(() => this.kill(), stopTimeoutSeconds * 1000);
  }

  /** SIGKILL to the whole group. */
  kill(): void {
    const pid = this.child?.pid;
    if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  }

  private onExit(exitCode: number): void {
    this.exitCode = exitCode;
    this.killTimer?.cancel();
    // The container is gone: nothing it started may outlive it (Docker removes the whole container).
    this.kill();
    this.resolveExit(exitCode);
  }

  private forward(stream: Readable): void {
    let buffered = '';
    stream.setEncoding('utf8');
    const emit = (line: string) => {
      if (this.launch.log) this.deps.logs.append(this.launch.log.group, this.launch.log.stream, [{ timestamp: this.deps.clock.now(), message: line }]);
    };
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) emit(line);
    });
    stream.on('end', () => {
      if (buffered) emit(buffered);
      buffered = '';
    });
  }
}
