/**
 * The controller's logger: Powertools JSON lines, each carrying the session id.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CONTROLLER_CONTAINER_NAME } from '#contract/index';

/** A Powertools logger whose every line carries `sessionId`. */
export function createControllerLogger(sessionId: string | undefined): Logger {
  return new Logger({
    serviceName: CONTROLLER_CONTAINER_NAME,
    persistentKeys: sessionId ? { sessionId } : {},
  });
}

/** Logs the page's console lines (never tokens: the page does not print them) at debug level. */
export function pageConsole(logger: Logger): (level: string, text: string) => void {
  return (level, text) => logger.debug('page', { level, text: text.slice(0, 500) });
}

export type { Logger };
