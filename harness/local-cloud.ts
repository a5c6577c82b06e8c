/**
 * Runs the local cloud as a real process (`tsx local-cloud/main.ts`, what `npm start` runs) on free
 * loopback ports with its own data directory, and stops it the way a user does (SIGINT).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A free TCP port on 127.0.0.1 (bind 0, read, release). */
export async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningLocalCloud {
  awsEndpoint: string;
  apiUrl: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** The ports it listens on (pass them to a restart to come back on the same endpoint). */
  ports: LocalCloudPorts;
  /** Sends SIGINT (Ctrl-C) and waits for the exit code. */
  stop(): Promise<number | null>;
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
}

/** Starts the local cloud and waits until its API answers. */
export async function startLocalCloud(options: StartOptions = {}): Promise<RunningLocalCloud> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shelcaster-test-')));
  const awsPort = options.ports?.aws ?? (await freePort());
  const apiPort = options.ports?.api ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'local-cloud/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SHELCASTER_DATA_DIR: dataDir,
      SHELCASTER_AWS_PORT: String(awsPort),
      SHELCASTER_API_PORT: String(apiPort),
      SHELCASTER_SEED_DEMO: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so kill() reaches everything in it at once.
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The local cloud exited early (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${apiUrl}/.well-known/jwks.json`);
      if (response.ok && output.includes('Local cloud ready')) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local cloud did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    awsEndpoint: `http://127.0.0.1:${awsPort}`,
    apiUrl,
    dataDir,
    process: child,
    output: () => output,
    ports: { aws: awsPort, api: apiPort },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return await exited;
    },
    async kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
    awsEnv: {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${awsPort}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    },
  };
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
