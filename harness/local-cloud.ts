/**
 * Runs the local cloud as a real process (`tsx local-cloud/main.ts`, what `npm start` runs) on free
 * loopback ports with its own data directory, and stops it the way a user does (SIGINT).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { controllerErrors } from './controller-errors.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface RunningLocalCloud {
  awsEndpoint: string;
  apiUrl: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** The ports it listens on (pass them to a restart to come back on the same endpoint). */
  ports: LocalCloudPorts;
  /**
   * Sends SIGINT (Ctrl-C) and waits for the exit code. Throws when IAM denied any call while it ran (unless
   * `allowAccessDenied`): a grant missing from infra/ fails the test that made the call, as it would fail on AWS.
   */
  stop(): Promise<number | null>;
  /** The `[iam] AccessDenied` lines it printed so far. */
  accessDenials(): string[];
  /** SIGKILLs its whole process group (a crash: nothing of it runs its shutdown) and waits for the exit. */
  kill(): Promise<void>;
  /** Environment for AWS SDK clients and CLIs pointed at this local cloud. */
  awsEnv: Record<string, string>;
}

export interface LocalCloudPorts {
  aws: number;
  api: number;
}

export interface StartOptions {
  /** An existing data directory continues what ran there before (a restart). */
  dataDir?: string;
  /** Fixed ports (a restart on the same endpoint); free ones otherwise. */
  ports?: LocalCloudPorts;
  env?: Record<string, string>;
  /** How long to wait for the API to answer. */
  readyTimeoutMs?: number;
  /** A test that provokes AccessDenied on purpose says so; otherwise a denial fails `stop()`. */
  allowAccessDenied?: boolean;
}

/** Starts the local cloud and waits until its API answers. */
export async function startLocalCloud(options: StartOptions = {}): Promise<RunningLocalCloud> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shelcaster-test-')));
  // Port 0 unless a restart asks for the previous ones: the local cloud binds free ports itself and prints
  // them (asking the kernel for a free port and passing it on races with every other process on the machine).
  const awsPort = options.ports?.aws ?? 0;
  const apiPort = options.ports?.api ?? 0;
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'local-cloud/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SHELCASTER_DATA_DIR: dataDir,
      SHELCASTER_AWS_PORT: String(awsPort),
      SHELCASTER_API_PORT: String(apiPort),
      SHELCASTER_SEED_DEMO: '0',
      // Controllers start at once unless a test is about Fargate's start-up (it sets this itself).
      SHELCASTER_FARGATE_STARTUP_MS: '0',
      // No warm pool unless a test is about it (it sets this itself): shows start as they always did.
      SHELCASTER_WARM_POOL_SIZE: '0',
      // A deleted queue is gone at once unless a test is about SQS's deletion window (it sets this itself):
      // the tests that check nothing is left after a show would otherwise wait 60 s for it.
      SHELCASTER_SQS_DELETE_DELAY_MS: '0',
      // Each event once and at once, unless a test is about EventBridge's at-least-once, any-order delivery.
      SHELCASTER_EVENT_DELIVERY: 'exactly-once',
      // It stops when this process goes (stdin is a pipe only this process holds), even if this one crashed
      // without stopping it: a local cloud left running with its controllers would load every later test.
      SHELCASTER_STOP_WITH_STDIN: '1',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, so kill() reaches everything in it at once.
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let stopping = false;
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code, signal) => {
      // A local cloud that dies under a test is a finding: say how, with the end of what it printed.
      if (!stopping) process.stderr.write(`The local cloud exited unexpectedly (code ${code}, signal ${signal}); its last output:\n${output.slice(-8000)}\n`);
      resolveExit(code);
    }),
  );
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let endpoints: { aws: string; api: string } | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local cloud exited early (${child.exitCode}):\n${output}`);
    endpoints ??= printedEndpoints(output);
    if (endpoints && output.includes('Local cloud ready')) {
      try {
        if ((await fetch(`${endpoints.api}/.well-known/jwks.json`)).ok) break;
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) {
      stopping = true;
      child.kill('SIGKILL');
      throw new Error(`The local cloud did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const apiUrl = endpoints.api;
  const ports = { aws: Number(new URL(endpoints.aws).port), api: Number(new URL(apiUrl).port) };
  return {
    awsEndpoint: endpoints.aws,
    apiUrl,
    dataDir,
    process: child,
    output: () => output,
    ports,
    accessDenials: () => accessDenials(output),
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const code = await exited;
      // What went wrong in a controller is in its log, which goes with the data directory: shown here.
      const errors = await controllerErrors(dataDir);
      if (errors.length > 0) console.error(`The program controllers logged ${errors.length} error(s) or failed first attempt(s):\n  ${errors.join('\n  ')}`);
      const denials = accessDenials(output);
      if (denials.length > 0 && !options.allowAccessDenied) {
        throw new Error(`IAM denied ${denials.length} call(s) of the system while the local cloud ran (a grant missing from infra/):\n${denials.join('\n')}`);
      }
      return code;
    },
    async kill() {
      stopping = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
    awsEnv: {
      AWS_ENDPOINT_URL: endpoints.aws,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    },
  };
}

/** The local cloud's `[iam] AccessDenied: ...` lines (local-cloud/iam/local-iam.ts logs every denial). */
export function accessDenials(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('[iam] AccessDenied'));
}

/** The endpoints `npm start` prints once it listens (`AWS endpoint   http://...`, `HTTP API       http://...`). */
export function printedEndpoints(output: string): { aws: string; api: string } | undefined {
  const aws = /AWS endpoint\s+(http:\/\/\S+)/.exec(output)?.[1];
  const api = /HTTP API\s+(http:\/\/\S+)/.exec(output)?.[1];
  return aws && api ? { aws, api } : undefined;
}

/** A bearer token for the local API, from `npm run token` (the token CLI) on the same data directory. */
export async function localToken(dataDir: string, userId: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local-cloud/token-cli.ts', userId], {
    cwd: REPO_ROOT,
    env: { ...process.env, SHELCASTER_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`token CLI failed (${code}): ${err}`);
  return out.trim();
}

/** Whether a process id is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process ids of the whole tree under a process (pgrep -P, recursively). */
export function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = out.split('\n').filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}
