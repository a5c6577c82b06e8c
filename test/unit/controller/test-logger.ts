/** A silent Powertools logger for unit tests (its output would only be noise). */
import { Logger } from '@aws-lambda-powertools/logger';

export const silentLogger = (): Logger => new Logger({ serviceName: 'controller-test', logLevel: 'SILENT' });
