/**
 * The synthesized template the local cloud enforces IAM from, cached by a hash of what it is synthesized
 * from: every file under infra/ and contract/, cdk.json and package-lock.json (the aws-cdk-lib version).
 * Synthesis (infra/synth-template.ts, in a child process on the tsx the project runs) takes 10-60 s; the
 * cache makes every later start with unchanged sources read one file. The cache lives in
 * `SHELCASTER_TEMPLATE_CACHE` (default `cdk.out/local-cloud/` of the repository, which git ignores), one
 * file `template-<hash>.json` per source state; writes are atomic, so concurrent starts do not see halves.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { CfnTemplate } from './cfn-template.ts';

const run = promisify(execFile);

/** What the template is synthesized from, relative to the repository root. */
export const TEMPLATE_SOURCES = { directories: ['infra', 'contract'], files: ['cdk.json', 'package-lock.json'] } as const;

/** Longest a synthesis may take on a loaded machine. */
export const SYNTH_TIMEOUT_MS = 300_000;

async function filesUnder(root: string, directory: string): Promise<string[]> {
  const entries = await readdir(join(root, directory), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The hash of the template's sources: paths and contents. */
export async function templateSourceHash(root: string): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await Promise.all(TEMPLATE_SOURCES.directories.map((d) => filesUnder(root, d)))).flat(), ...TEMPLATE_SOURCES.files];
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

/** The default cache directory of a repository. */
export function defaultTemplateCacheDir(root: string): string {
  return process.env.SHELCASTER_TEMPLATE_CACHE ?? join(root, 'cdk.out', 'local-cloud');
}

/** The synthesized template for the sources as they are now: from the cache, else synthesized and cached. */
export async function synthesizedTemplate(root: string, cacheDir = defaultTemplateCacheDir(root)): Promise<CfnTemplate> {
  const file = join(cacheDir, `template-${await templateSourceHash(root)}.json`);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CfnTemplate;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'synth-'));
  try {
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    await run(tsx, [join(root, 'infra', 'synth-template.ts'), join(work, 'template.json'), join(work, 'cdk.out')], {
      cwd: root,
      timeout: SYNTH_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    const text = await readFile(join(work, 'template.json'), 'utf8');
    await writeFile(join(work, 'final.json'), text);
    await rename(join(work, 'final.json'), file);
    return JSON.parse(text) as CfnTemplate;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
