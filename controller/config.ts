/**
 * The controller's configuration, read once at start from the environment (names from the contract).
 */
import { ENV } from '#contract/index';
import { DEFAULT_CHROMIUM_PATH } from './browser/chromium-process.ts';

export { DEFAULT_CHROMIUM_PATH };

export interface ControllerConfig {
  sessionId: string;
  stageArn: string;
  queueUrl: string;
  sessionsTableName: string;
  mediaBucketName: string;
  chromiumPath: string;
  /** Which start of the session's controller this is (absent: the controller cannot tell, see ownership.ts). */
  controllerGeneration?: number;
}

/** A missing or malformed environment variable; the message names every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Controller configuration is invalid: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the controller's environment; throws ConfigError listing every problem. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ControllerConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) {
      problems.push(`${name} is not set`);
      return '';
    }
    return value;
  };
  const sessionId = required(ENV.sessionId);
  const stageArn = required(ENV.stageArn);
  const queueUrl = required(ENV.queueUrl);
  const sessionsTableName = required(ENV.sessionsTable);
  const mediaBucketName = required(ENV.mediaBucket);
  const chromiumPath = env[ENV.chromiumPath]?.trim() || DEFAULT_CHROMIUM_PATH;
  const generationText = env[ENV.controllerGeneration]?.trim();
  const controllerGeneration = generationText ? Number(generationText) : undefined;
  if (controllerGeneration !== undefined && !(Number.isInteger(controllerGeneration) && controllerGeneration >= 0)) {
    problems.push(`${ENV.controllerGeneration} must be a whole number (got "${generationText}")`);
  }

  if (stageArn && !stageArn.startsWith('arn:')) problems.push(`${ENV.stageArn} is not an ARN`);
  if (queueUrl && !/^https?:\/\//.test(queueUrl)) problems.push(`${ENV.queueUrl} is not a URL`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    sessionId,
    stageArn,
    queueUrl,
    sessionsTableName,
    mediaBucketName,
    chromiumPath,
    ...(controllerGeneration !== undefined ? { controllerGeneration } : {}),
  };
}
