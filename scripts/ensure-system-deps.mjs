#!/usr/bin/env node
// Runs before `npm start` and `npm test` (plain JavaScript: it may run on the machine's Node 20 before
// the project's Node 22 toolchain is installed). It installs what the system needs, or says exactly
// what is missing:
//   1. npm packages (npm ci) when node_modules is missing or older than package-lock.json;
//   2. on Debian, as root: chromium-headless-shell (the controller's browser), ffmpeg, and for the tests
//      chromium and the AWS CLI v2 (awscli), through apt-get.
// Set SHELCASTER_SKIP_SYSTEM_DEPS=1 to skip step 2 (you provide the programs yourself).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages and the program each provides: contract/system-programs.json, the list the code reads too. */
const SYSTEM_PACKAGES = Object.values(JSON.parse(readFileSync(join(root, 'contract', 'system-programs.json'), 'utf8'))).map((p) => ({
  pkg: p.package,
  program: p.path,
  why: p.why,
  testOnly: p.testOnly,
}));

const forTests = process.env.npm_lifecycle_event === 'pretest' || process.argv.includes('--test');

function log(message) {
  process.stderr.write(`[setup] ${message}\n`);
}

function ensureNpmPackages() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh && existsSync(join(root, 'node_modules', '.bin', 'node'))) return;
  log('installing npm packages (npm ci) ...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    log('npm ci failed; fix the error above and run the command again.');
    process.exit(result.status ?? 1);
  }
}

function ensureSystemPackages() {
  if (process.env.SHELCASTER_SKIP_SYSTEM_DEPS === '1') return;
  const needed = SYSTEM_PACKAGES.filter((p) => (forTests || !p.testOnly) && !existsSync(p.program));
  if (needed.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    log('missing system programs:');
    for (const p of needed) log(`  ${p.program} (Debian package "${p.pkg}"): ${p.why}`);
    log(`install them, e.g. "sudo apt-get install -y ${needed.map((p) => p.pkg).join(' ')}", then run the command again.`);
    process.exit(1);
  }
  const names = needed.map((p) => p.pkg);
  log(`installing Debian packages: ${names.join(' ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
  const still = needed.filter((p) => !existsSync(p.program));
  if (still.length > 0) {
    log(`still missing after apt-get: ${still.map((p) => p.program).join(', ')}`);
    process.exit(1);
  }
}

ensureNpmPackages();
ensureSystemPackages();
