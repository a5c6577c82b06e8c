/** Builds the host console (scripts/build-console.mjs) for tests and benchmarks that open it in Chromium. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '#harness/local-cloud';

/** Builds the console when its build is older than its sources. */
export function buildConsole(): void {
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-console.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`The console did not build:\n${built.stdout}\n${built.stderr}`);
}
