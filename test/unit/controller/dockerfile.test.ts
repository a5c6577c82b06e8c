import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_COMMAND, CONTROLLER_ENVIRONMENT } from '#controller/command';
import { SYSTEM_PROGRAMS } from '#contract/system-programs';
import { DEFAULT_CHROMIUM_PATH } from '#controller/config';
// @ts-expect-error -- a plain JavaScript build script without type declarations
import { buildController, lockSubset, OPTIONAL_PACKAGES } from '../../../scripts/build-controller.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONTEXT = join(ROOT, 'controller', 'dist');

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
function instructions(): { op: string; args: string }[] {
  const text = readFileSync(join(ROOT, 'controller', 'Dockerfile'), 'utf8');
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Every file under a directory, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(CONTEXT, path)];
  });
}

const sourceFiles = (dir: string, pattern: RegExp) => readdirSync(join(ROOT, dir)).filter((name) => pattern.test(name));

/** The npm packages installed in the image: the IVS SDK bundle the page loads as a file; the rest is bundled. */
const RUNTIME_PACKAGES = ['amazon-ivs-web-broadcast'];
/** What the local cloud, the CDK app, the tests and the tools use, and the image must not hold. */
const NOT_IN_THE_IMAGE = ['puppeteer-core', '@aws-sdk/client-sqs', 'zod', 'dynalite', 'werift', 'aws-cdk-lib', 'aws-cdk', 'constructs', 'tsx', 'esbuild', 'vite', 'vitest', 'aws-local-stepfunctions', 'classic-level', '@middy/core', '@aws-sdk/client-ecs', '@aws-sdk/client-lambda', 'opus-decoder', 'jose', 'autocannon', 'node'];

describe('the controller image', () => {
  beforeAll(async () => {
    await (buildController as () => Promise<boolean>)();
  });

  it('has a build context of only the bundle, its page, its run-time manifest and the Dockerfile', () => {
    const chunks = readdirSync(CONTEXT).filter((file) => /^[\w-]+-[A-Z0-9]{8}\.js(\.map)?$/.test(file));
    expect(chunks.filter((file) => file.endsWith('.js')).length).toBeGreaterThan(0);
    const expected = [
      'Dockerfile',
      'main.js',
      'main.js.map',
      ...chunks,
      'package.json',
      'package-lock.json',
      ...sourceFiles('controller/page', /\.(js|html)$/).map((file) => `page/${file}`),
      ...sourceFiles('stage-client', /\.js$/).map((file) => `stage-client/${file}`),
    ];
    expect(filesUnder(CONTEXT).sort()).toEqual(expected.sort());
    expect(readFileSync(join(CONTEXT, 'Dockerfile'), 'utf8')).toBe(readFileSync(join(ROOT, 'controller', 'Dockerfile'), 'utf8'));
  });

  it('installs with `npm ci --omit=dev` exactly the run-time packages and what they depend on', () => {
    const manifest = JSON.parse(readFileSync(join(CONTEXT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies?: unknown };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(RUNTIME_PACKAGES);
    expect(manifest.devDependencies).toBeUndefined();
    const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(manifest.dependencies)) expect(rootManifest.dependencies[name]).toBe(version);
    const lock = JSON.parse(readFileSync(join(CONTEXT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { dev?: boolean }> };
    expect(lock.lockfileVersion).toBe(3);
    const installed = Object.keys(lock.packages).filter(Boolean);
    const names = new Set(installed.map((key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)));
    for (const name of NOT_IN_THE_IMAGE) expect(names.has(name), `${name} would be installed`).toBe(false);
    // Closed: every package the lockfile installs is a run-time package or reached from one.
    expect(installed.sort()).toEqual((lockSubset(lock, RUNTIME_PACKAGES) as string[]).sort());
    expect(Object.values(lock.packages).some((entry) => entry.dev)).toBe(false);
  });

  it('runs plain JavaScript: the bundle holds our code and the packages it uses, importing only Node built-ins and optional packages', () => {
    for (const file of readdirSync(CONTEXT).filter((name) => name.endsWith('.js'))) {
      const bundle = readFileSync(join(CONTEXT, file), 'utf8');
      // Static imports (statements at a line's start or after another: the bundle is minified), dynamic imports and esbuild's requires (`__require`) of a bare name.
      const imported = new Set(
        [...bundle.matchAll(/(?:^|;)\s*(?:import|export)\b[^;]*?\bfrom\s*"([^".][^"]*)"|(?:^|;)\s*import\s*"([^".][^"]*)"|\bimport\(\s*"([^".][^"]*)"\s*\)|\b__require\(\s*"([^".][^"]*)"\s*\)/gm)].map(
          (match) => (match[1] ?? match[2] ?? match[3] ?? match[4])!,
        ),
      );
      const packages = [...imported].filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier)).map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'));
      for (const name of packages) expect(OPTIONAL_PACKAGES, `${file} imports ${name}`).toContain(name);
      expect(bundle).not.toMatch(/from\s+"#/);
    }
    // The optional ones are not installed, and the bundle runs without them (ws and puppeteer load them in a try, or never).
    const manifest = JSON.parse(readFileSync(join(CONTEXT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of OPTIONAL_PACKAGES) expect(manifest.dependencies[name]).toBeUndefined();
  });

  it('spawns Chromium before any npm package loads: main.js and what it imports statically use only Node built-ins', () => {
    const staticImports = (file: string) => [...readFileSync(join(CONTEXT, file), 'utf8').matchAll(/(?:^|;)(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|(?:^|;)import\s*"([^"]+)"/gm)].map((match) => (match[1] ?? match[2])!);
    const seen = new Set<string>();
    const visit = (file: string): string[] => {
      if (seen.has(file)) return [];
      seen.add(file);
      return staticImports(file).flatMap((specifier) => (specifier.startsWith('./') ? visit(specifier.slice(2)) : [specifier]));
    };
    const loaded = visit('main.js');
    expect(seen.size).toBeGreaterThan(1);
    expect(loaded.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
    expect(readFileSync(join(CONTEXT, 'main.js'), 'utf8')).toMatch(/await import\("\.\/run-process-\w+\.js"\)/);
  });

  it('resolves nested lockfile entries the way Node does', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/a': { dependencies: { b: '1' } },
        'node_modules/a/node_modules/b': { dependencies: { c: '1' } },
        'node_modules/b': { dependencies: { unused: '1' } },
        'node_modules/c': { optionalDependencies: { missing: '1' } },
        'node_modules/unused': {},
      },
    };
    expect(lockSubset(lock, ['a'])).toEqual(['node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c']);
    expect(() => lockSubset(lock, ['nothing'])).toThrow(/no nothing/);
  });

  const all = instructions();
  const of = (op: string) => all.filter((i) => i.op === op);

  it("builds on Debian slim with Node 22 taken from the official image, and Chromium's headless shell, ffmpeg and CA certificates from apt", () => {
    expect(of('FROM').map((i) => i.args)).toEqual(['node:22-bookworm-slim AS node', 'debian:bookworm-slim']);
    expect(of('COPY').some((i) => i.args.startsWith('--from=node /usr/local/bin/node'))).toBe(true);
    const apt = of('RUN').find((i) => i.args.includes('apt-get install'));
    const packages = new Set(apt?.args.split(/\s+/));
    // What runs the system (contract/system-programs.json), not what only the tests use (the full browser, the CLI).
    for (const program of Object.values(SYSTEM_PROGRAMS)) expect([program.package, packages.has(program.package)]).toEqual([program.package, !program.testOnly]);
    expect(DEFAULT_CHROMIUM_PATH).toBe(SYSTEM_PROGRAMS.controllerChromium.path);
    expect(of('ENV').some((i) => i.args.includes(`CHROMIUM_PATH=${DEFAULT_CHROMIUM_PATH}`))).toBe(true);
    expect(packages.has('ca-certificates')).toBe(true);
  });

  it('installs the run-time lockfile with `npm ci --omit=dev` and copies only files of the build context', () => {
    expect(of('RUN').some((i) => /npm ci --omit=dev/.test(i.args))).toBe(true);
    const context = new Set(filesUnder(CONTEXT).map((file) => file.split('/')[0] ?? file));
    for (const copy of of('COPY').filter((i) => !i.args.startsWith('--from='))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        // A wildcard (`*.js`) must match something in the context; any other source must be in it.
        const pattern = new RegExp(`^${source.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
        expect([...context].some((file) => pattern.test(file)), `COPY ${source}`).toBe(true);
      }
    }
  });

  it('runs as a non-root user', () => {
    const users = of('USER').map((i) => i.args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const last = all.findLastIndex((i) => i.op === 'USER');
    expect(all.findIndex((i, n) => n > last && i.op === 'RUN')).toBe(-1);
  });

  it('runs exactly the shared controller command: the bundle, not TypeScript through tsx', () => {
    const cmd = of('CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(cmd[0]!.args)).toEqual(CONTROLLER_COMMAND);
    expect(CONTROLLER_COMMAND).toEqual(['node', '--max-semi-space-size=1', '--enable-source-maps', 'controller/dist/main.js']);
  });

  it("sets exactly the shared controller environment (glibc's fixed mmap threshold) besides its own paths", () => {
    const set = new Map(of('ENV').flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split('=') as [string, string])));
    expect(CONTROLLER_ENVIRONMENT).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536' });
    for (const [name, value] of Object.entries(CONTROLLER_ENVIRONMENT)) expect([name, set.get(name)]).toEqual([name, value]);
    expect([...set.keys()].sort()).toEqual(['CHROMIUM_PATH', 'NODE_ENV', ...Object.keys(CONTROLLER_ENVIRONMENT)].sort());
  });
});
