/**
 * The controller process once Chromium is starting (main.ts): reads the configuration, connects to the
 * browser, runs the controller, and turns SIGTERM into a clean exit well inside the container's stop timeout.
 */
import { CONTROLLER_STOP_TIMEOUT_SECONDS } from '#contract/index';
import { ConfigError, readConfig } from './config.ts';
import { createControllerLogger, pageConsole } from './logger.ts';
import { createControllerClients } from './aws-clients.ts';
import { openProgramBrowser } from './browser/program-browser.ts';
import type { ProgramBrowserStart } from './browser/program-browser-start.ts';
import type { JoinClock } from './join-clock.ts';
import { runController } from './program-controller.ts';

/** Seconds before the stop timeout at which a stop that hangs is cut short. */
const STOP_MARGIN_SECONDS = 3;

/** Runs the controller to its end and exits the process with its code. */
export async function runControllerProcess(start: { browser: Promise<ProgramBrowserStart>; clock: JoinClock }): Promise<never> {
  const logger = createControllerLogger(process.env.SESSION_ID);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    logger.info('Stop requested', { signal });
    stop.abort();
    setTimeout(() => {
      logger.warn('Stopping took too long; exiting now');
      process.exit(0);
    }, (CONTROLLER_STOP_TIMEOUT_SECONDS - STOP_MARGIN_SECONDS) * 1000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    const config = readConfig();
    const browser = start.clock.timed('page-loaded', start.browser.then((started) => openProgramBrowser(started, { onConsole: pageConsole(logger) })));
    browser.catch(() => undefined); // runController reports it
    const exitCode = await runController({ config, clients: createControllerClients(), logger, stopSignal: stop.signal, browser, clock: start.clock });
    logger.info('Controller exits', { exitCode });
    process.exit(exitCode);
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message, { problems: error.problems });
    else logger.error('The controller failed', { reason: (error as Error).message });
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}
