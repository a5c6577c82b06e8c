/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): one environment-agnostic stack, settings from context.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { readDeploySettings } from './deploy-settings.ts';
import { STACK_NAME, ShelcasterStack } from './shelcaster-stack.ts';

/** The repository root: two levels above this file. */
const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));

const app = new App();
new ShelcasterStack(app, STACK_NAME, {
  root: REPOSITORY_ROOT,
  settings: readDeploySettings(app.node),
  description: 'Shelcaster live-show backend: session lifecycle, program controller, HTTP API.',
});
app.synth();
