#!/usr/bin/env node
/**
 * Builds the host console (console/ → console/dist) when the build is missing or older than any of its
 * sources (console/, stage-client/, the contract it imports); otherwise does nothing. Run by `npm start`
 * before the local cloud starts; `npm run build:console` always builds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from './newest-source.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'console', 'dist', 'call.html');
const sources = [join(root, 'console'), join(root, 'stage-client'), join(root, 'contract')];

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
