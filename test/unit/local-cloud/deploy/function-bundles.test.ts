/**
 * The local cloud's function bundles are CDK's: the same esbuild settings (the contract's LAMBDA_BUNDLING, read
 * by both), and for a real function the same bytes as the bundle CDK's NodejsFunction makes in a synth.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, describe, expect, it } from 'vitest';
import { functionSpec, LAMBDA_BUNDLE_FILE, LAMBDA_BUNDLING } from '#contract/index';
import { CDK_BUNDLING, ShelcasterFunction } from '#infra/constructs/shelcaster-function';
import { esbuildOptions, functionBundles } from '#local-cloud/deploy/function-bundles';
import { REPOSITORY_ROOT } from '../../infra/stack-fixture.ts';

const root = REPOSITORY_ROOT.replace(/\/$/, '');
const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('Local function bundles', () => {
  it('are built with the esbuild settings CDK gives esbuild', () => {
    const spec = functionSpec('getCommand');
    const options = esbuildOptions(spec, root, '/out');

    expect(CDK_BUNDLING.format).toBe(OutputFormat.ESM);
    expect(options).toMatchObject({
      entryPoints: [`${root}/${spec.entry}`],
      bundle: true,
      platform: 'node',
      format: CDK_BUNDLING.format,
      target: CDK_BUNDLING.target,
      minify: CDK_BUNDLING.minify,
      mainFields: CDK_BUNDLING.mainFields,
      external: CDK_BUNDLING.externalModules,
      banner: { js: CDK_BUNDLING.banner },
      outfile: `/out/${LAMBDA_BUNDLE_FILE}`,
      absWorkingDir: root,
    });
    expect(options.sourcemap).toBeUndefined();
    expect(LAMBDA_BUNDLING.banner).toContain('createRequire');
  });

  it('are byte for byte the bundle CDK synthesizes for the function', async () => {
    const spec = functionSpec('getCommand');
    const outdir = await mkdtemp(join(tmpdir(), 'shelcaster-bundle-parity-'));
    scratch.push(outdir);
    const app = new App({ outdir });
    new ShelcasterFunction(new Stack(app, 'BundleParity'), 'Fn', { spec, root });
    app.synth();
    const assets = (await readdir(outdir)).filter((name) => name.startsWith('asset.') && existsSync(join(outdir, name, LAMBDA_BUNDLE_FILE)));
    expect(assets).toHaveLength(1);
    const [local] = await functionBundles([spec], root);

    expect(local!.file.endsWith(`/${LAMBDA_BUNDLE_FILE}`)).toBe(true);
    expect((await readFile(local!.file)).equals(await readFile(join(outdir, assets[0]!, LAMBDA_BUNDLE_FILE)))).toBe(true);
  }, 180_000);
});
