import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '#local-cloud/require-node-22';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the local cloud refuses a Node.js older than the Lambda runtime', () => {
  it('accepts Node 22 and later', () => {
    expect(nodeVersionProblem('22.23.0')).toBeUndefined();
    expect(nodeVersionProblem('24.1.0')).toBeUndefined();
  });

  it('names the version it got and how to run it right', () => {
    const problem = nodeVersionProblem('20.20.2');
    expect(problem).toContain('Node.js 20.20.2');
    expect(problem).toContain(`Node.js ${REQUIRED_NODE_MAJOR}`);
    expect(problem).toContain('npm start');
  });

  it('stops a local cloud started under an older Node before it serves anything', () => {
    // The entry point run by a Node.js that reports itself as 20: the check runs before any other module.
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--eval',
      "Object.defineProperty(process.versions, 'node', { value: '20.20.2' }); await import('./local-cloud/main.ts');"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SHELCASTER_AWS_PORT: '1', SHELCASTER_API_PORT: '1' },
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('needs Node.js 22');
  });
});
