#!/usr/bin/env node
/**
 * Builds the program controller's image context, controller/dist/ (generated, not committed):
 *   main.js            controller/main.ts bundled by esbuild with the npm packages it imports (puppeteer-core,
 *                      the AWS SDK clients, zod, Powertools' logger), so the container runs plain JavaScript (no
 *                      tsx at start) and Node loads a few files instead of resolving, reading and compiling
 *                      some thousand modules of node_modules at each start (the controller loaded in ~290 ms
 *                      instead of ~410 on the 2-core machine, source maps on); split into chunks
 *   package.json       only the npm package the page loads as a file (the IVS web SDK bundle), at the version
 *                      of the root package.json
 *   package-lock.json  the root lockfile cut down to those packages and what they depend on at run time, so
 *                      `npm ci --omit=dev` in the image installs exactly that set
 *   page/, stage-client/  the controller page's files and the browser code it shares with the console
 *   Dockerfile         a copy of controller/Dockerfile (this directory is the image's whole build context)
 * Rebuilds only when a source is newer than main.js (`--force` always). Run before `npm start`, `npm test`,
 * `npm run bench` and `cdk synth`; the test run's global set-up runs it too.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newest } from './newest-source.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Packages the controller needs at run time that no import names: the page loads the IVS SDK's UMD bundle. */
const RUNTIME_ASSET_PACKAGES = ['amazon-ivs-web-broadcast'];
/**
 * Optional packages the bundled ones load only if installed, and which the image leaves out: `ws`'s native
 * speed-ups (`require`d in a try), and what `@puppeteer/browsers` needs to download a browser through a proxy
 * or unzip one (the controller runs the image's Chromium and downloads none).
 */
export const OPTIONAL_PACKAGES = ['bufferutil', 'utf-8-validate', 'proxy-agent', 'yauzl'];
/** Lets the CommonJS packages inside the ESM bundle `require` (Node's built-ins, and the optional packages). */
const REQUIRE_SHIM = "import { createRequire as __controllerCreateRequire } from 'node:module'; const require = __controllerCreateRequire(import.meta.url);";

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The lockfile entries (`packages` keys such as `node_modules/a/node_modules/b`) that `npm ci --omit=dev`
 * installs for `roots`: each package's dependencies, optional dependencies and required peer dependencies (as
 * npm 7+ installs them), resolved the way Node does (nearest node_modules first), dev-only entries left out.
 */
export function lockSubset(lock, roots) {
  const packages = lock.packages;
  const chosen = new Set();
  const resolveFrom = (fromKey, name) => {
    let base = fromKey;
    for (;;) {
      const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (packages[key]) return key;
      if (!base) return undefined;
      const at = base.lastIndexOf('/node_modules/');
      base = at === -1 ? '' : base.slice(0, at);
    }
  };
  const visit = (fromKey, name, optional) => {
    const key = resolveFrom(fromKey, name);
    if (!key) {
      if (optional) return;
      throw new Error(`the lockfile has no ${name} for ${fromKey || 'the root'}`);
    }
    if (chosen.has(key)) return;
    chosen.add(key);
    const entry = packages[key];
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(key, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(key, dep, true);
    // npm installs a peer dependency unless it is optional (an optional peer is used only when something else installs it).
    for (const dep of Object.keys(entry.peerDependencies ?? {})) if (entry.peerDependenciesMeta?.[dep]?.optional !== true) visit(key, dep, false);
  };
  for (const name of roots) visit('', name, false);
  return [...chosen].sort();
}

/** Builds controller/dist unless it is newer than every source; returns whether it built. */
export async function buildController({ root = ROOT, force = false } = {}) {
  const dist = join(root, 'controller', 'dist');
  const main = join(dist, 'main.js');
  const sources = ['controller', 'stage-client', 'contract', 'functions/commons', 'package.json', 'package-lock.json', 'scripts/build-controller.mjs'].map((path) => join(root, path));
  const builtAt = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (!force && builtAt >= Math.max(...sources.filter((path) => existsSync(path)).map(newest))) return false;

  const { build } = await import('esbuild');
  // Built beside the old one and swapped in whole: a controller starting meanwhile sees one or the other.
  const next = join(root, 'controller', `dist.${process.pid}.tmp`);
  rmSync(next, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(root, 'controller', 'main.ts')],
    outdir: next,
    entryNames: 'main',
    // Split at main.ts's dynamic import: main.js then loads only what spawns Chromium, and the rest of the
    // controller (puppeteer, the AWS SDK, zod) loads from its chunk while Chromium starts. In one file
    // esbuild hoists every package import to the top, so Node would load them all before main ran.
    splitting: true,
    chunkNames: '[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: OPTIONAL_PACKAGES,
    banner: { js: REQUIRE_SHIM },
    define: { CONTROLLER_BUNDLE: 'true' },
    sourcemap: 'linked',
    // Stack traces map to the sources' files and lines without their text in the map: 3 MB of maps instead
    // of 9, which `--enable-source-maps` parses into the controller's heap at start (~11 MiB less held).
    sourcesContent: false,
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  const imported = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const entry of output.imports) {
      if (!entry.external || entry.path.startsWith('node:') || builtinModules.includes(entry.path)) continue;
      if (!OPTIONAL_PACKAGES.includes(packageName(entry.path))) imported.add(packageName(entry.path));
    }
  }
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = [...imported, ...RUNTIME_ASSET_PACKAGES].sort();
  const dependencies = {};
  for (const name of names) {
    const version = rootManifest.dependencies?.[name];
    if (!version) throw new Error(`the controller imports ${name}, which is not a dependency in package.json`);
    dependencies[name] = version;
  }
  const manifest = { name: 'shelcaster-controller', version: rootManifest.version, private: true, type: 'module', dependencies };
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const lockPackages = { '': { name: manifest.name, version: manifest.version, dependencies } };
  for (const key of lockSubset(lock, names)) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key];
    lockPackages[key] = entry;
  }
  writeFileSync(join(next, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(next, 'package-lock.json'), `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages: lockPackages }, null, 2)}\n`);
  for (const [from, to, pattern] of [
    ['controller/page', 'page', /\.(js|html)$/],
    ['stage-client', 'stage-client', /\.js$/],
  ]) {
    mkdirSync(join(next, to), { recursive: true });
    for (const file of readdirSync(join(root, from)).filter((name) => pattern.test(name))) copyFileSync(join(root, from, file), join(next, to, file));
  }
  copyFileSync(join(root, 'controller', 'Dockerfile'), join(next, 'Dockerfile'));
  const old = join(root, 'controller', `dist.${process.pid}.old`);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(next, dist);
  rmSync(old, { recursive: true, force: true });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildController({ force: process.argv.includes('--force') });
  if (built) process.stdout.write('Built the controller (controller/dist)\n');
}
