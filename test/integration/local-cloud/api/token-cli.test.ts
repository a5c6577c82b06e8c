import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '#local-cloud/api/server';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
const cli = join(process.cwd(), 'local-cloud/token-cli.ts');

describe('npm run token -- <userId>', () => {
  let dataDir: string;
  let api: ApiServer;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'token-cli-'));
    api = await startApiServer({
      port: 0,
      dataDir,
      invoker: { invoke: async () => ({ payload: { statusCode: 204 } }) },
    });
  });
  afterEach(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a bearer token the running local API accepts, for the data dir in SHELCASTER_DATA_DIR', async () => {
    const { stdout } = await run(tsx, [cli, 'host-42'], { env: { ...process.env, SHELCASTER_DATA_DIR: dataDir } });
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const response = await fetch(`${api.url}/sessions/2b9e4c1a-7d3f-4e8a-9c2b-1f0e3d5a7b9c`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(204);
  });

  it('prints its usage and exits 2 without a user id', async () => {
    const error = (await run(tsx, [cli], { env: { ...process.env, SHELCASTER_DATA_DIR: dataDir } }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/Usage: npm run token -- <userId>/);
  });
});
