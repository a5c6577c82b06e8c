/**
 * The program controller's life: create its participant token while Chromium and the page start (`main`
 * opens them before this module loads), join the stage, then answer callbacks and apply commands until told
 * to stop. If it cannot join, it fails the READY token with the reason and ends with a non-zero exit code.
 * It also stops by itself (exit code 0) when it is not, or no longer, its session's controller
 * (state/ownership.ts: checked before it creates its token and every CONTROLLER_OWNERSHIP_CHECK_SECONDS), or
 * when its command queue is gone.
 */
import { DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { DEFAULT_DUCKING, READY_TIMEOUT_SECONDS } from '#contract/index';
import type { ControllerClients } from './aws-clients.ts';
import type { ControllerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { LaunchedChromium } from './browser/chromium-launcher.ts';
import { loggedBrowserOptions, openProgramBrowser, type ProgramBrowser } from './browser/program-browser.ts';
import { startProgramBrowser } from './browser/program-browser-start.ts';
import type { ProgramPage } from './browser/program-page.ts';
import type { PageServer } from './browser/page-server.ts';
import { createControllerToken } from './participant-token.ts';
import { JoinClock } from './join-clock.ts';
import { CallbackHandler, failReadyToken } from './callbacks/callback-handler.ts';
import { HeartbeatScheduler } from './callbacks/heartbeat-scheduler.ts';
import { createMediaFetcher, type MediaFetcherOptions } from './media/media-fetcher.ts';
import { MediaPlayer } from './player/media-player.ts';
import { RunOfShowRunner } from './show/run-of-show-runner.ts';
import { SerialLane } from './show/serial-lane.ts';
import { AsRunRecorder } from './show/as-run-recorder.ts';
import { CommandProcessor } from './queue/command-processor.ts';
import { QueueLoop } from './queue/queue-loop.ts';
import { OwnershipWatch, ownershipVerdict, ownTaskArn, type ControllerIdentity } from './state/ownership.ts';
import { SessionStore, type ControllerSessionView } from './state/session-store.ts';
import { joinStage } from './join-stage.ts';

/** How long the page may take to connect to the stage. */
export const JOIN_TIMEOUT_SECONDS = 60;
/** How often now-playing is written while a program plays. */
export const NOW_PLAYING_REPORT_SECONDS = 5;
const DEFAULT_TITLE = 'Shelcaster';

export interface ControllerDeps {
  config: ControllerConfig;
  clients: ControllerClients;
  logger: Logger;
  /** Aborted on SIGTERM. */
  stopSignal: AbortSignal;
  /** Chromium with the page, already opening (`main` starts it first); opened here when absent. */
  browser?: Promise<ProgramBrowser>;
  /** Where the join's time goes (`main` starts it); made here when absent. */
  clock?: JoinClock;
  /** Test-only media fetcher options (policy, resolver, limits). */
  media?: Partial<Omit<MediaFetcherOptions, 's3' | 'mediaBucket'>>;
  now?: () => Date;
  /** Reads the task's own ARN (default: the ECS task metadata endpoint). */
  taskArn?: () => Promise<string | undefined>;
}

/** Runs the controller until stopped; resolves to the process exit code. */
export async function runController(deps: ControllerDeps): Promise<number> {
  const { config, clients, logger, stopSignal } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };
  const store = new SessionStore(clients.doc, config.sessionsTableName, config.sessionId);
  const clock = deps.clock ?? new JoinClock();
  clock.mark('controller-loaded');

  let page: ProgramPage;
  let server: PageServer;
  let chromium: LaunchedChromium;
  let participantId: string;
  let session: Awaited<ReturnType<SessionStore['getSession']>>;
  const opening = (deps.browser ?? clock.timed('page-loaded', startProgramBrowser(config.chromiumPath).then((start) => openProgramBrowser(start, loggedBrowserOptions(logger))))).then((browser) => {
    cleanups.push(() => browser.close());
    return browser;
  });
  // Chromium may fail before the session record is read (its credentials come from the container endpoint,
  // slower than a failed spawn): the failure is handled below, once awaited; until then it must not count as
  // an unhandled rejection, which ends the process before it can fail the READY token.
  opening.catch(() => undefined);
  let me: ControllerIdentity = {};
  try {
    // The session record and the token while Chromium starts and loads the page.
    const reading = store.getSession().catch((error: unknown) => {
      logger.warn('Reading the session record failed; starting without it', { reason: (error as Error).message });
      return undefined;
    });
    // Is this task still its session's controller? Asked while Chromium starts, before a token is made.
    const identity = (async () => ({ generation: config.controllerGeneration, taskArn: await (deps.taskArn ?? ownTaskArn)() }))();
    const [known, identified] = await Promise.all([reading, identity]);
    session = known;
    me = identified;
    const verdict = ownershipVerdict(session, me);
    if (!verdict.current) {
      logger.warn("Not the session's controller; stopping", { why: verdict.why, ...me });
      await opening.catch(() => undefined);
      await cleanup();
      return 0;
    }
    const [token, browser] = await Promise.all([clock.timed('token', createControllerToken(clients.ivs, config.stageArn, config.sessionId)), opening]).catch(
      async (error: unknown) => {
        await opening.catch(() => undefined); // so that cleanup closes it
        throw error;
      },
    );
    participantId = token.participantId;
    page = browser.page;
    server = browser.server;
    chromium = browser.chromium;
    await page.setTitle((session as { title?: string } | undefined)?.title ?? DEFAULT_TITLE);
    if (stopSignal.aborted) {
      await cleanup();
      return 0;
    }
    const joinStart = clock.mark('join-started');
    const timings = await joinStage((timeoutMs) => page.join(token.token, timeoutMs), { deadlineMs: now().getTime() + JOIN_TIMEOUT_SECONDS * 1000, logger, now: () => now().getTime() });
    clock.markAt('stage-joined', joinStart + timings.joinedMs);
    clock.mark('published');
    logger.info('Joined the stage and publishing', { participantId, sinceProcessStartMs: clock.sinceProcessStart });
  } catch (error) {
    const reason = (error as Error).message;
    logger.error('The controller cannot join the stage', { reason });
    await cleanup();
    if (stopSignal.aborted) return 0;
    const deadline = startedAt.getTime() + READY_TIMEOUT_SECONDS * 1000;
    await failReadyWhenItArrives(deps, reason, deadline).catch((e: unknown) =>
      logger.error('Failing the READY token failed', { reason: (e as Error).message }),
    );
    return 1;
  }
  cleanups.push(() => page.leave());
  const joinedAt = now().toISOString();

  const heartbeats = new HeartbeatScheduler({ sfn: clients.sfn, logger });
  cleanups.push(async () => heartbeats.stopAll());
  const fetcher = createMediaFetcher({ s3: clients.s3, mediaBucket: config.mediaBucketName, ...deps.media });
  const hostId = session?.hostId;
  const asRun = new AsRunRecorder(clients.doc, config.sessionsTableName, config.sessionId, logger);
  const player = new MediaPlayer({
    page,
    onEvent: (entry) => asRun.record(entry),
    openMedia: (url) => server.media.register(fetcher.open(url), fetcher.limits.maxBytes),
    ...(hostId ? { loudnessOf: (url: string) => store.trackLoudness(hostId, url) } : {}),
    now,
  });
  const report = async () => store.putNowPlaying(await player.snapshot());
  // Ducking under voices: the page reports each duck and its end (as-run); the settings in force are a previous
  // controller's (nowPlaying), else the show's own.
  try {
    await page.onDuckChange((change) => player.ducked(change));
    await player.useDucking(session?.nowPlaying?.decks?.ducking ?? session?.ducking ?? DEFAULT_DUCKING);
  } catch (error) {
    logger.warn('Ducking under voices could not be set up', { reason: (error as Error).message });
  }
  // Commands and the run-of-show's auto-advances take turns on the desk.
  const lane = new SerialLane();
  const runOfShow = new RunOfShowRunner({
    player,
    store,
    lane,
    logger,
    now,
    onSkipped: ({ position, item, positionSeconds }) =>
      asRun.record({
        at: now().toISOString(),
        event: 'SKIP',
        deck: position.deck,
        programId: position.trackId,
        itemId: position.itemId,
        positionSeconds,
        ...(item ? { title: item.title, programUrl: item.programUrl } : {}),
        cause: 'NEXT',
      }),
    onStarted: () => report().catch((e: unknown) => logger.warn('Now-playing report failed', { reason: (e as Error).message })),
  });

  const loopStop = new AbortController();
  let exitCode = 0;
  /** Set once the loop has ended (for any reason): closing Chromium then is the controller's own doing. */
  let shuttingDown = false;
  const onStop = () => loopStop.abort();
  stopSignal.addEventListener('abort', onStop, { once: true });
  chromium.browser.once('disconnected', () => {
    if (!stopSignal.aborted && !shuttingDown) {
      logger.error('Chromium went away; the controller stops so it is replaced');
      exitCode = 1;
      loopStop.abort();
    }
  });

  // What a previous controller played is resumed while the queue is already read: the READY token is
  // answered at once; commands wait until the program is restored (they apply on top of it).
  const restored = restoreProgram(session, player, report, logger);

  // The run-of-show's auto-advance watch, from where the session record says the show is.
  void restored
    .then(() => runOfShow.start())
    .catch((error: unknown) => logger.warn('The run-of-show watch did not start', { reason: (error as Error).message }));
  cleanups.push(async () => runOfShow.stop());

  const reporter = setInterval(() => {
    if (player.playing) report().catch((e: unknown) => logger.warn('Now-playing report failed', { reason: (e as Error).message }));
  }, NOW_PLAYING_REPORT_SECONDS * 1000);
  cleanups.push(async () => clearInterval(reporter));

  const processor = new CommandProcessor({
    // Results are recorded with this controller's participant id (appliedBy).
    store: new SessionStore(clients.doc, config.sessionsTableName, config.sessionId, participantId),
    // A PLAY's track is sent to the page to load while its record is written (the processor says when).
    prepare: (message) => player.preload(message.command),
    // appliedAt is when the page made the change (its clock; a PLAY's: when its track began to play), not when
    // its answer came back.
    apply: async (message, preloaded) => {
      await restored;
      const { command } = message;
      return lane.run(async () => {
        const before = page.lastChangeAtMs;
        const tookEffectAt = await (command.type === 'NEXT' ? runOfShow.next() : player.apply(command, preloaded));
        if (tookEffectAt instanceof Date) return tookEffectAt;
        return page.lastChangeAtMs > before ? new Date(page.lastChangeAtMs) : undefined;
      });
    },
    afterCommand: report,
    logger,
    now,
  });
  const callbacks = new CallbackHandler({
    sfn: clients.sfn,
    logger,
    heartbeats,
    ready: { participantId, joinedAt },
    endRequested: async () => (await store.getSession())?.endRequested === true,
  });
  const ownership = new OwnershipWatch({
    readSession: () => store.getSession(),
    me,
    logger,
    onLost: (why) => {
      logger.warn("Not the session's controller any more; stopping", { why, ...me });
      loopStop.abort();
    },
  });
  ownership.start();
  const loop = new QueueLoop({ sqs: clients.sqs, queueUrl: config.queueUrl, sessionId: config.sessionId, commands: processor, callbacks, logger });
  const ended = await loop.run(loopStop.signal);
  shuttingDown = true;
  ownership.stop();
  runOfShow.stop();

  logger.info('Stopping: leaving the stage', { exitCode, ...(ended === 'queue-gone' ? { why: 'the command queue is gone' } : {}) });
  stopSignal.removeEventListener('abort', onStop);
  heartbeats.stopAll();
  await Promise.race([Promise.all([processor.reported().then(report).catch(() => undefined), asRun.flushed()]), delay(1000)]);
  await cleanup();
  return exitCode;
}

/** Resumes what the previous controller played on each deck, if the session record says anything was playing or paused; never throws. */
async function restoreProgram(
  session: ControllerSessionView | undefined,
  player: MediaPlayer,
  report: () => Promise<void>,
  logger: Logger,
): Promise<void> {
  const decks = session?.nowPlaying?.decks;
  const anything = decks
    ? decks.program.state !== 'STOPPED' || decks.bed.state !== 'STOPPED' || decks.clip.clips.length > 0
    : session?.nowPlaying?.state !== undefined && session.nowPlaying.state !== 'STOPPED';
  if (!session?.nowPlaying || !anything) return;
  try {
    await player.restore({
      nowPlaying: session.nowPlaying,
      programUrl: session.nowPlayingUrl ?? null,
      ...(session.nowPlayingDeckUrls ? { deckUrls: session.nowPlayingDeckUrls } : {}),
    });
    logger.info('Resumed what the previous controller played', { programId: session.nowPlaying.programId });
    await report();
  } catch (error) {
    logger.warn('Resuming the previous program failed', { reason: (error as Error).message });
  }
}

/**
 * Waits for the READY token (until the deadline, a stop, or the queue gone) and fails it with the reason.
 * Commands are left alone: one received meanwhile is held and released at the end (QueueLoop.receiveReadyToken).
 */
async function failReadyWhenItArrives(deps: ControllerDeps, reason: string, deadline: number): Promise<void> {
  const { clients, config, logger, stopSignal } = deps;
  const receiver = new QueueLoop({
    sqs: clients.sqs,
    queueUrl: config.queueUrl,
    sessionId: config.sessionId,
    logger,
    commands: { process: async () => 'retry' as const, failInvalid: async () => undefined },
    callbacks: { handle: async () => undefined },
  });
  const ready = await receiver.receiveReadyToken(deadline, stopSignal);
  if (ready === 'queue-gone') {
    logger.warn('The command queue is gone; the READY token cannot come');
    return;
  }
  if (ready === 'none') return;
  await failReadyToken(clients.sfn, ready.message.taskToken, `The program controller could not join the stage: ${reason}`);
  await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: config.queueUrl, ReceiptHandle: ready.receiptHandle }));
  logger.info('READY token failed with Shelcaster.ControllerFailed');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
