/**
 * Synthesizes the stack's CloudFormation template without bundling the functions (nothing is built; only the
 * template is wanted) and writes it to the file named by the first argument. The local cloud runs this once
 * per change of infra/ or contract/ (local-cloud/iam/template-cache.ts) to read the IAM it enforces.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { readDeploySettings } from './deploy-settings.ts';
import { STACK_NAME, ShelcasterStack } from './shelcaster-stack.ts';

const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Synthesizes the stack with cdk.json's context, skipping asset bundling; answers the template. */
export function synthesizeTemplate(outdir?: string): unknown {
  const { context } = JSON.parse(readFileSync(`${REPOSITORY_ROOT}cdk.json`, 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] }, ...(outdir ? { outdir } : {}) });
  new ShelcasterStack(app, STACK_NAME, { root: REPOSITORY_ROOT, settings: readDeploySettings(app.node) });
  return app.synth().getStackByName(STACK_NAME).template;
}

const [, script, outFile, outdir] = process.argv;
if (script && fileURLToPath(import.meta.url) === script && outFile) {
  writeFileSync(outFile, JSON.stringify(synthesizeTemplate(outdir)));
}
