/**
 * The controller process once Chromium is starting (main.ts): reads the configuration, connects to the
 * browser, runs the controller, and turns SIGTERM into a clean exit well inside the container's stop timeout.
 * A warm-pool controller (WARM_POOL_CONTROLLER=1, no session in its environment) first loads its page and
 * waits idle until a start claims it (pool/wait-for-claim.ts), then runs as its session's controller.
 */
import { CONTROLLER_STOP_TIMEOUT_SECONDS, ENV, controllerSessionEnvironment, type WarmControllerAssignment } from '#contract/index';
import { ConfigError, readConfig } from './config.ts';
import { createControllerLogger, type Logger } from './logger.ts';
import { createControllerClients, type ControllerClients } from './aws-clients.ts';
import { loggedBrowserOptions, openProgramBrowser, type ProgramBrowser } from './browser/program-browser.ts';
import type { ProgramBrowserStart } from './browser/program-browser-start.ts';
import type { JoinClock } from './join-clock.ts';
import { runController } from './program-controller.ts';
import { waitForClaim } from './pool/wait-for-claim.ts';
import { ownTaskArn } from './state/ownership.ts';

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
    const browser = start.clock.timed('page-loaded', start.browser.then((started) => openProgramBrowser(started, loggedBrowserOptions(logger))));
    browser.catch(() => undefined); // runController reports it
    const clients = createControllerClients();
    let env = process.env;
    let taskArn: (() => Promise<string | undefined>) | undefined;
    let sessionLogger = logger;
    if (process.env[ENV.warmPoolController] === '1') {
      const arn = await ownTaskArn();
      if (!arn) throw new Error('A warm-pool controller needs its task ARN (the ECS task metadata endpoint)');
      const claim = await idleUntilClaimed(arn, browser, clients.doc, logger, stop.signal);
      if (!claim) {
        await browser.then((b) => b.close()).catch(() => undefined);
        process.exit(0);
      }
      start.clock.mark('claimed');
      env = { ...process.env, ...assignmentEnvironment(claim) };
      taskArn = async () => arn;
      sessionLogger = createControllerLogger(claim.sessionId);
      sessionLogger.info('Claimed from the warm pool', { taskArn: arn });
    }
    const config = readConfig(env);
    const exitCode = await runController({
      config,
      clients,
      logger: sessionLogger,
      stopSignal: stop.signal,
      browser,
      clock: start.clock,
      ...(taskArn ? { taskArn } : {}),
    });
    sessionLogger.info('Controller exits', { exitCode });
    process.exit(exitCode);
  } catch (error) {
    if (error instanceof ConfigError) logger.error(error.message, { problems: error.problems });
    else logger.error('The controller failed', { reason: (error as Error).message });
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
}

/**
 * Waits, page loaded, until a start claims this pool controller; undefined when it gives up (retired, its
 * lifetime over, never recorded, stopped) or its browser died (ECS then reports it STOPPED and the pool
 * replaces it).
 */
async function idleUntilClaimed(
  taskArn: string,
  browser: Promise<ProgramBrowser>,
  doc: ControllerClients['doc'],
  logger: Logger,
  stopSignal: AbortSignal,
): Promise<WarmControllerAssignment | undefined> {
  const loaded = await browser;
  const idle = new AbortController();
  const onStop = () => idle.abort();
  stopSignal.addEventListener('abort', onStop, { once: true });
  let browserDied = false;
  loaded.chromium.browser.once('disconnected', () => {
    browserDied = true;
    idle.abort();
  });
  const tableName = readSessionsTableName();
  const result = await waitForClaim({ doc, tableName, taskArn, logger, stopSignal: idle.signal });
  stopSignal.removeEventListener('abort', onStop);
  if (browserDied && !('claimed' in result)) throw new Error('Chromium went away while the controller was idle');
  if ('claimed' in result) return result.claimed;
  logger.info('Leaving the warm pool', { why: result.ended });
  return undefined;
}

/** The sessions table's name (the one setting a pool controller needs before it has a session). */
function readSessionsTableName(): string {
  const name = process.env[ENV.sessionsTable]?.trim();
  if (!name) throw new ConfigError([`${ENV.sessionsTable} is not set`]);
  return name;
}

/** The session's variables of a claim, as a task run for the session gets them (contract/controller-task.ts). */
function assignmentEnvironment(claim: WarmControllerAssignment): Record<string, string> {
  return Object.fromEntries(controllerSessionEnvironment(claim).map(({ name, value }) => [name, value]));
}
