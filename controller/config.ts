/**
 * The controller's configuration, read once at start from the environment (names from the contract).
 */
import { ENV, STAGE_TRANSPORTS, type StageTransport } from '#contract/index';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

export interface ControllerConfig {
  sessionId: string;
  stageArn: string;
  queueUrl: string;
  sessionsTableName: string;
  mediaBucketName: string;
  stageTransport: StageTransport;
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
  const transport = required(ENV.stageTransport);
  const chromiumPath = env[ENV.chromiumPath]?.trim() || DEFAULT_CHROMIUM_PATH;
  const generationText = env[ENV.controllerGeneration]?.trim();
  const controllerGeneration = generationText ? Number(generationText) : undefined;
  if (controllerGeneration !== undefined && !(Number.isInteger(controllerGeneration) && controllerGeneration >= 0)) {
    problems.push(`${ENV.controllerGeneration} must be a whole number (got "${generationText}")`);
  }

  if (stageArn && !stageArn.startsWith('arn:')) problems.push(`${ENV.stageArn} is not an ARN`);
  if (queueUrl && !/^https?:\/\//.test(queueUrl)) problems.push(`${ENV.queueUrl} is not a URL`);
  if (transport && !(STAGE_TRANSPORTS as readonly string[]).includes(transport)) {
    problems.push(`${ENV.stageTransport} must be one of ${STAGE_TRANSPORTS.join(', ')} (got "${transport}")`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    sessionId,
    stageArn,
    queueUrl,
    sessionsTableName,
    mediaBucketName,
    stageTransport: transport as StageTransport,
    chromiumPath,
    ...(controllerGeneration !== undefined ? { controllerGeneration } : {}),
  };
}
