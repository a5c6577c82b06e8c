/**
 * One temporary directory for the whole run: every test process, and everything they start (local clouds,
 * controllers, Chromium, ffmpeg, the AWS CLIs), gets it as TMPDIR, and it is removed when the run ends: what
 * a test or a process it started leaves behind (a controller killed on purpose, say) does not stay in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'shelcaster-test-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
