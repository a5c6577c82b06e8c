/**
 * Runs the two AWS CLIs of the machine against a local gateway: the pip CLI v1 first on PATH (SQS over
 * JSON) and Debian's CLI v2.9 at /usr/bin/aws (SQS over query). A missing CLI fails the test that needs it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PROGRAMS } from '#contract/system-programs';

export type CliVersion = 'v1' | 'v2';

/** Debian's awscli package puts CLI v2 here (contract/system-programs.json). */
export const CLI_V2_PATH = SYSTEM_PROGRAMS.awsCliV2.path;

/** Finds the first `aws` on PATH that is not CLI v2's path (the pip v1). */
function cliV1Path(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = join(dir, 'aws');
    if (dir && existsSync(candidate) && candidate !== CLI_V2_PATH && candidate !== '/bin/aws') return candidate;
  }
  return undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const configDir = mkdtempSync(join(tmpdir(), 'aws-cli-config-'));
writeFileSync(join(configDir, 'config'), '[default]\nregion = us-east-1\n');

/** The CLI's program; a missing one throws with how to install it. */
function cliBinary(version: CliVersion): string {
  const binary = version === 'v2' ? CLI_V2_PATH : cliV1Path();
  if (!binary || !existsSync(binary)) {
    throw new Error(`AWS CLI ${version} is not installed (${version === 'v2' ? "apt-get install awscli puts it at /usr/bin/aws" : "pip's awscli on PATH"}).`);
  }
  return binary;
}

/** Runs a CLI with exactly `env` and the arguments given (no region, output or pager added). */
function execCli(binary: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

/**
 * Runs `aws <args>` as a user who set only `documented` (a line of our docs) would: no configuration file,
 * no region or credentials but those, PATH and HOME from this process.
 */
export function runAwsAsDocumented(version: CliVersion, args: string[], documented: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  const binary = cliBinary(version);
  const env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    AWS_CONFIG_FILE: join(configDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(configDir, 'no-credentials'),
    AWS_PAGER: '',
    ...documented,
  };
  return execCli(binary, args, env, timeoutMs);
}

/** Runs `aws <args>` with local credentials (or those `envOverrides` sets) against `endpoint`. */
export function runAws(version: CliVersion, endpoint: string, args: string[], timeoutMs = 60_000, envOverrides: Record<string, string> = {}): Promise<CliResult> {
  const binary = cliBinary(version);
  const extra = version === 'v2' ? ['--no-cli-pager'] : [];
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(configDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(configDir, 'credentials'),
    AWS_PAGER: '',
    AWS_ENDPOINT_URL: '',
    ...envOverrides,
  };
  return execCli(binary, [...args, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...extra], env, timeoutMs);
}

/** Runs the CLI and parses its JSON output, failing with the CLI's stderr when it exits non-zero. */
export async function awsJson<T = Record<string, unknown>>(version: CliVersion, endpoint: string, args: string[]): Promise<T> {
  const result = await runAws(version, endpoint, args);
  if (result.code !== 0) throw new Error(`aws ${version} ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
}

/**
 * A test that runs several CLI commands: each is a Python (v1) or PyInstaller (v2) process that takes
 * seconds to start on a loaded 2-core machine, longer than the suite's default 30 s allows for a handful.
 */
export const CLI_TEST_OPTIONS = { timeout: 180_000 } as const;
