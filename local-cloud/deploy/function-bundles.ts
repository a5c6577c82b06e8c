/**
 * The local counterpart of CDK's NodejsFunction bundling (infra/constructs/shelcaster-function.ts): each
 * function's entry built with esbuild into `index.mjs` with the contract's LAMBDA_BUNDLING — the same
 * settings CDK passes to esbuild's command line, translated flag by flag — so the local Lambda runs the code
 * AWS runs (ESM, minified, the `require` banner, nothing external). What CDK's command hooks put beside the
 * bundle is linked there (the console's built folder, the ffmpeg binary), so the handler finds it as on AWS.
 *
 * Bundles are cached under `<root>/.cache/lambda-bundles/<function>/<hash>/`, the hash taken over the build
 * settings and the content of every file the bundle was built from (esbuild's metafile): a start with unchanged
 * sources reuses the bundle; a changed source (or dependency) builds a new one. Directories are written once
 * (built aside, then renamed into place), so local clouds starting at once can share the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { build, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { FUNCTION_NAMES, LAMBDA_BUNDLE_FILE, LAMBDA_BUNDLING, type FunctionSpec } from '#contract/index';

/** Where bundles are cached, under the repository root. */
export const BUNDLE_CACHE_DIR = '.cache/lambda-bundles';
/** Bundles of one function kept besides the newest (older ones are pruned). */
const KEPT_OLDER_BUNDLES = 2;

/**
 * esbuild's options for a function's bundle: the flags CDK's NodejsFunction gives esbuild for the contract's
 * LAMBDA_BUNDLING (`--bundle <entry> --target --platform=node --format --outfile --minify --external:…
 * --banner:js --main-fields`), run from the project root as CDK runs it.
 */
export function esbuildOptions(spec: FunctionSpec, root: string, outdir: string): BuildOptions & { entryPoints: string[]; outfile: string } {
  return {
    entryPoints: [join(root, spec.entry)],
    bundle: true,
    target: LAMBDA_BUNDLING.target,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    outfile: join(outdir, LAMBDA_BUNDLE_FILE),
    minify: LAMBDA_BUNDLING.minify,
    external: [...LAMBDA_BUNDLING.externalModules],
    banner: { js: LAMBDA_BUNDLING.banner },
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    absWorkingDir: root,
    logLevel: 'silent',
  };
}

export interface FunctionBundle {
  /** Absolute path of the bundle's `index.mjs`. */
  file: string;
  /** False when the cache had it. */
  built: boolean;
}

interface Manifest {
  /** The inputs (relative to the root) of the last build, to hash them again on the next start. */
  inputs: string[];
}

/** Hashes of file contents, shared by every function of one deployment (they share most of their inputs). */
export class SourceHasher {
  private readonly hashes = new Map<string, Promise<string>>();

  fileHash(path: string): Promise<string> {
    let hash = this.hashes.get(path);
    if (!hash) {
      hash = readFile(path).then(
        (content) => createHash('sha256').update(content).digest('hex'),
        () => 'missing',
      );
      this.hashes.set(path, hash);
    }
    return hash;
  }

  /** One hash over the build settings and the content of every input. */
  async key(spec: FunctionSpec, root: string, inputs: readonly string[]): Promise<string> {
    const hash = createHash('sha256').update(JSON.stringify({ esbuildVersion, LAMBDA_BUNDLING, entry: spec.entry, bundledDirectory: spec.bundledDirectory, bundledBinary: spec.bundledBinary }));
    const sorted = [...inputs].sort();
    const contents = await Promise.all(sorted.map((input) => this.fileHash(resolve(root, input))));
    sorted.forEach((input, i) => hash.update(`\n${input}\0${contents[i]}`));
    return hash.digest('hex').slice(0, 20);
  }
}

/**
 * The bundles of the given functions: from the cache, or built. The functions not in the cache are built in
 * one esbuild run (one entry point each, no code splitting: each output is the bundle a build of its entry
 * alone makes, while the modules they share are read and parsed once).
 */
export async function functionBundles(specs: readonly FunctionSpec[], root: string, hasher = new SourceHasher()): Promise<FunctionBundle[]> {
  const cached = await Promise.all(specs.map((spec) => cachedBundle(spec, root, hasher)));
  const missing = specs.filter((_, i) => !cached[i]);
  if (missing.length === 0) return cached.map((file) => ({ file: file!, built: false }));
  const scratch = join(root, BUNDLE_CACHE_DIR, `.build-${process.pid}-${Date.now().toString(36)}`);
  try {
    const built = await buildInto(missing, root, scratch, hasher);
    return specs.map((spec, i) => (cached[i] ? { file: cached[i]!, built: false } : { file: built.get(spec)!, built: true }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The cached bundle of a function whose inputs are unchanged since its last build, if there is one. */
async function cachedBundle(spec: FunctionSpec, root: string, hasher: SourceHasher): Promise<string | undefined> {
  const functionDir = join(root, BUNDLE_CACHE_DIR, FUNCTION_NAMES[spec.role]);
  const previous = await readFile(join(functionDir, 'inputs.json'), 'utf8').then((text) => JSON.parse(text) as Manifest, () => undefined);
  if (!previous) return undefined;
  const file = join(functionDir, await hasher.key(spec, root, previous.inputs), LAMBDA_BUNDLE_FILE);
  return existsSync(file) ? file : undefined;
}

/** Builds the functions in one esbuild run under `scratch`, then moves each bundle into the cache. */
async function buildInto(specs: readonly FunctionSpec[], root: string, scratch: string, hasher: SourceHasher): Promise<Map<FunctionSpec, string>> {
  const single = esbuildOptions(specs[0]!, root, scratch);
  const { entryPoints: _entry, outfile: _outfile, ...shared } = single;
  const result = await build({
    ...shared,
    entryPoints: specs.map((spec) => ({ in: join(root, spec.entry), out: `${FUNCTION_NAMES[spec.role]}/${LAMBDA_BUNDLE_FILE.replace(/\.mjs$/, '')}` })),
    outdir: scratch,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  });
  const files = new Map<FunctionSpec, string>();
  for (const spec of specs) {
    const name = FUNCTION_NAMES[spec.role];
    const output = result.metafile.outputs[relative(root, join(scratch, name, LAMBDA_BUNDLE_FILE))];
    if (!output) throw new Error(`esbuild wrote no bundle for ${name}`);
    const inputs = Object.keys(output.inputs);
    const built = join(scratch, name);
    await linkBundledFiles(spec, root, built);
    const functionDir = join(root, BUNDLE_CACHE_DIR, name);
    const dir = join(functionDir, await hasher.key(spec, root, inputs));
    await mkdir(functionDir, { recursive: true });
    if (!existsSync(join(dir, LAMBDA_BUNDLE_FILE))) {
      await rm(dir, { recursive: true, force: true });
      await rename(built, dir).catch((error: NodeJS.ErrnoException) => {
        // Another local cloud put the same bundle there first.
        if (!existsSync(join(dir, LAMBDA_BUNDLE_FILE))) throw error;
      });
    }
    const manifestFile = join(functionDir, 'inputs.json');
    const manifestScratch = `${manifestFile}.${process.pid}`;
    await writeFile(manifestScratch, JSON.stringify({ inputs } satisfies Manifest));
    await rename(manifestScratch, manifestFile);
    await pruneOlderBundles(functionDir, dir);
    files.set(spec, join(dir, LAMBDA_BUNDLE_FILE));
  }
  return files;
}

/** What CDK's command hooks copy beside the bundle, linked instead (the targets are the repository's own). */
async function linkBundledFiles(spec: FunctionSpec, root: string, outdir: string): Promise<void> {
  if (spec.bundledDirectory) await symlink(join(root, spec.bundledDirectory.from), join(outdir, spec.bundledDirectory.to), 'dir');
  if (spec.bundledBinary) await symlink(join(root, 'node_modules', spec.bundledBinary.from), join(outdir, spec.bundledBinary.name));
}

/** Removes all but the newest few bundles of a function (never `keep`). */
async function pruneOlderBundles(functionDir: string, keep: string): Promise<void> {
  const entries = await readdir(functionDir, { withFileTypes: true });
  const dirs = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && join(functionDir, e.name) !== keep)
      .map(async (e) => ({ path: join(functionDir, e.name), mtime: (await stat(join(functionDir, e.name))).mtimeMs })),
  );
  dirs.sort((a, b) => b.mtime - a.mtime);
  for (const old of dirs.slice(KEPT_OLDER_BUNDLES)) await rm(old.path, { recursive: true, force: true });
}
