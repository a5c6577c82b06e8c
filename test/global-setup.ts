/**
 * One temporary directory for the whole run: every test process, and everything they start (local clouds,
 * controllers, Chromium, ffmpeg, the AWS CLIs), gets it as TMPDIR, and it is removed when the run ends: what
 * a test or a process it started leaves behind (a controller killed on purpose, say) does not stay in /tmp.
 * It also builds the controller's bundle (scripts/build-controller.mjs) when a source is newer, and
 * synthesizes the CDK template once (cached under cdk.out/local-cloud/ by a hash of infra/ and contract/),
 * before any local cloud starts: every local cloud reads its IAM from it, and a synthesis takes 10-60 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizedTemplate } from '#local-cloud/iam/template-cache';
// @ts-expect-error -- a plain JavaScript build script without type declarations
import { buildController } from '../scripts/build-controller.mjs';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export default async function setup(): Promise<() => void> {
  // Controller tasks run the bundle (controller/command.json): build it when a source changed.
  await (buildController as () => Promise<boolean>)();
  const root = mkdtempSync(join(tmpdir(), 'shelcaster-test-run-'));
  process.env.TMPDIR = root;
  await synthesizedTemplate(REPO_ROOT);
  return () => rmSync(root, { recursive: true, force: true });
}
