/**
 * The Powertools Logger and Tracer every function shares. Logs are JSON lines; the Tracer only traces on
 * Lambda (it switches itself off where AWS_EXECUTION_ENV is not set, as on the local cloud and in tests).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { ENV } from '#contract/index';

const serviceName = process.env[ENV.powertoolsServiceName] ?? 'shelcaster';

export const logger = new Logger({ serviceName });
export const tracer = new Tracer({ serviceName });

/**
 * Adds `sessionId` to every following log line of this invocation. The key is reset at the start of the next
 * invocation (injectLambdaContext with resetKeys), so a warm function never logs a previous session's id.
 */
export function logSessionId(sessionId: string): void {
  logger.appendKeys({ sessionId });
}
