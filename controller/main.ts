/**
 * Entry point of the program controller task (controller/command.json runs it): reads the configuration,
 * starts Chromium on the controller's page at once, loads the rest of the controller (the AWS SDK clients
 * take Node a while) meanwhile, runs it, and turns SIGTERM into a clean exit well inside the container's
 * stop timeout.
 */
import { CONTROLLER_STOP_TIMEOUT_SECONDS } from '#contract/index';
import { ConfigError, readConfig } from './config.ts';
import { createControllerLogger, pageConsole } from './logger.ts';
import { JoinClock } from './join-clock.ts';
import { killLiveBrowsers } from './browser/chromium-launcher.ts';
import { openProgramBrowser } from './browser/program-browser.ts';

/** Seconds before the stop timeout at which a stop that hangs is cut short. */
const STOP_MARGIN_SECONDS = 3;

const logger = createControllerLogger(process.env.SESSION_ID);
process.on('exit', killLiveBrowsers);

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
  const clock = new JoinClock();
  clock.mark('main');
  const browser = clock.timed('page-loaded', openProgramBrowser({ chromiumPath: config.chromiumPath, onConsole: pageConsole(logger) }));
  browser.catch(() => undefined); // runController reports it
  const [{ runController }, { createControllerClients }] = await Promise.all([import('./program-controller.ts'), import('./aws-clients.ts')]);
  const exitCode = await runController({ config, clients: createControllerClients(), logger, stopSignal: stop.signal, browser, clock });
  logger.info('Controller exits', { exitCode });
  process.exit(exitCode);
} catch (error) {
  if (error instanceof ConfigError) logger.error(error.message, { problems: error.problems });
  else logger.error('The controller failed', { reason: (error as Error).message });
  process.exit(error instanceof ConfigError ? 2 : 1);
}
