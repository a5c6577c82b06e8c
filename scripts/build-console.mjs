#!/usr/bin/env node
/**
 * Builds the host console (console/ → console/dist) when the build is missing or older than any of its
 * sources (console/, stage-client/, the contract it imports); otherwise does nothing. Run by `npm start`
 * before the local cloud starts; `npm run build:console` always builds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'console', 'dist', 'call.html');
const sources = [join(root, 'console'), join(root, 'stage-client'), join(root, 'contract')];

/** The newest modification time of the files under a path (skipping dist and node_modules). */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(...sources.filter((path) => existsSync(path)).map(newest));
if (builtAt >= sourcesAt) process.exit(0);

process.stdout.write('Building the host console (console/dist) ...\n');
const vite = join(root, 'node_modules', '.bin', 'vite');
const result = spawnSync(vite, ['build', '--config', join(root, 'console', 'vite.config.ts'), '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
