/**
 * A local cloud started by the test harness stops (and stops its controllers) when the test process that
 * started it dies without stopping it: a crashed test must not leave a cloud loading the machine.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '#harness/eventually';
import { REPO_ROOT } from '#harness/local-cloud';
import { alive } from '#test/support/process-alive';

let dataDir: string | undefined;
let cloudPid: number | undefined;
afterAll(async () => {
  if (cloudPid && alive(cloudPid)) process.kill(-cloudPid, 'SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a local cloud started by a test', () => {
  it('stops when the test process is killed', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/harness/cloud-parent.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: parent.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`the test process exited (${code}) before its cloud was ready`)));
    });
    const started = JSON.parse(first) as { pid: number; dataDir: string; apiUrl: string };
    cloudPid = started.pid;
    dataDir = started.dataDir;
    expect((await fetch(`${started.apiUrl}/.well-known/jwks.json`)).status).toBe(200);

    parent.kill('SIGKILL');
    await eventually(async () => (alive(started.pid) ? undefined : true), 60_000, 'the local cloud to stop');
    await expect(fetch(`${started.apiUrl}/.well-known/jwks.json`)).rejects.toThrow();
  }, 150_000);
});
