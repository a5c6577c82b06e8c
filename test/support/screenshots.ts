/**
 * Where a test's screenshot goes: docs/images/ when SHELCASTER_UPDATE_SCREENSHOTS=1 (to refresh the docs),
 * otherwise a temporary directory, so a test run leaves the work tree as it was.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '#harness/local-cloud';

/** The path to write the screenshot `name` (e.g. `console.png`) to. */
export function screenshotPath(name: string): string {
  if (process.env.SHELCASTER_UPDATE_SCREENSHOTS === '1') {
    const dir = join(REPO_ROOT, 'docs', 'images');
    mkdirSync(dir, { recursive: true });
    return join(dir, name);
  }
  return join(mkdtempSync(join(tmpdir(), 'shelcaster-screenshot-')), name);
}
