/**
 * Synthesizes the real Shelcaster stack once, with cdk.json's context (so feature flags match `cdk synth`).
 * Function bundling is skipped here (`aws:cdk:bundling-stacks: []`): the unit tests read the template, and the
 * integration test (test/integration/infra-synth.test.ts) runs the real CLI, which bundles every function.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { readDeploySettings } from '#infra/deploy-settings';
import { ShelcasterStack, STACK_NAME } from '#infra/shelcaster-stack';
import type { CfnTemplate } from '#local-cloud/iam/cfn-template';
import { TemplateReader } from './template-reader.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The `context` of the repository's cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${REPOSITORY_ROOT}cdk.json`, 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

export interface SynthesizedStack {
  stack: ShelcasterStack;
  template: CfnTemplate;
  reader: TemplateReader;
  /** The cloud assembly directory (assets are staged there). */
  assemblyDir: string;
}

/** Builds and synthesizes the stack; `context` overrides cdk.json's. */
export function synthesizeStack(context: Record<string, unknown> = {}): SynthesizedStack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new ShelcasterStack(app, STACK_NAME, { root: REPOSITORY_ROOT, settings: readDeploySettings(app.node) });
  const assembly = app.synth();
  const template = assembly.getStackByName(STACK_NAME).template as CfnTemplate;
  return { stack, template, reader: new TemplateReader(template), assemblyDir: assembly.directory };
}

/** Generous: the stack fingerprints the controller's build context. */
export const SYNTH_TIMEOUT_MS = 120_000;
