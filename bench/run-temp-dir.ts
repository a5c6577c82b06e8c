/**
 * One temporary directory for a benchmark run, as the test suite has one (test/global-setup.ts): the run and
 * everything it starts (local clouds, controllers, Chromium, ffmpeg) get it as TMPDIR, and it is removed when
 * the run's process exits, however it exits. What a killed controller or browser leaves (the faults and the
 * recovery figure kill them on purpose) does not stay in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Makes the run's temp directory, sets TMPDIR to it, and removes it at exit; returns its path. */
export function useRunTempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'shelcaster-bench-run-'));
  process.env.TMPDIR = directory;
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
