/**
 * One temporary directory for the whole run: every test process, and everything they start (local clouds,
 * controllers, Chromium, ffmpeg, the AWS CLIs), gets it as TMPDIR, and it is removed when the run ends: what
 * a test or a process it started leaves behind (a controller killed on purpose, say) does not stay in /tmp.
 * It also builds the controller's bundle (scripts/build-controller.mjs) when a source is newer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain JavaScript build script without type declarations
import { buildController } from '../scripts/build-controller.mjs';

export default async function setup(): Promise<() => void> {
  // Controller tasks run the bundle (controller/command.json): build it when a source changed.
  await (buildController as () => Promise<boolean>)();
  const root = mkdtempSync(join(tmpdir(), 'shelcaster-test-run-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
