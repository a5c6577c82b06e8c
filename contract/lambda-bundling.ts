/**
 * How every Lambda function is built and how its runtime logs: CDK's NodejsFunction
 * (infra/constructs/shelcaster-function.ts) and the local cloud's build (local-cloud/deploy/function-bundles.ts)
 * both read this, so the local cloud runs the same bundle AWS runs, with the same log format.
 */

/** Makes `require` exist in the ESM bundle for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as shelcasterCreateRequire } from 'node:module'; const require = shelcasterCreateRequire(import.meta.url);";

/** esbuild's settings for a function's bundle (CDK passes each to esbuild as a command-line flag). */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  // Ship the pinned AWS SDK rather than the runtime's, so Lambda runs what the tests ran.
  externalModules: [] as readonly string[],
} as const;

/** The file CDK writes an ESM bundle to (the handler is `index.handler`). */
export const LAMBDA_BUNDLE_FILE = 'index.mjs';

/** The Lambda runtime's log format (CloudWatch `LoggingConfig.LogFormat`): JSON records, one per line. */
export const LAMBDA_LOG_FORMAT = 'JSON' as 'JSON' | 'Text';
