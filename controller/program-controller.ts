/**
 * The program controller's life: create its participant token, start Chromium and the page, join the
 * stage, then answer callbacks and apply commands until told to stop. If it cannot join, it fails the
 * READY token with the reason and ends with a non-zero exit code.
 */
import {
  DeleteMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { QueueMessage, READY_TIMEOUT_SECONDS } from '#contract/index';
import type { ControllerClients } from './aws-clients.ts';
import type { ControllerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { launchChromium, type LaunchedChromium } from './browser/chromium-launcher.ts';
import { startPageServer, type PageServer } from './browser/page-server.ts';
import { ProgramPage } from './browser/program-page.ts';
import { createControllerToken } from './participant-token.ts';
import { CallbackHandler, failReadyToken } from './callbacks/callback-handler.ts';
import { HeartbeatScheduler } from './callbacks/heartbeat-scheduler.ts';
import { createMediaFetcher, type MediaFetcherOptions } from './media/media-fetcher.ts';
import { MediaPlayer } from './player/media-player.ts';
import { CommandProcessor } from './queue/command-processor.ts';
import { QueueLoop } from './queue/queue-loop.ts';
import { SessionStore, type ControllerSessionView } from './state/session-store.ts';

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
  launch?: (chromiumPath: string) => Promise<LaunchedChromium>;
  /** Test-only media fetcher options (policy, resolver, limits). */
  media?: Partial<Omit<MediaFetcherOptions, 's3' | 'mediaBucket'>>;
  now?: () => Date;
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

  let page: ProgramPage;
  let server: PageServer;
  let chromium: LaunchedChromium;
  let participantId: string;
  let session: Awaited<ReturnType<SessionStore['getSession']>>;
  try {
    session = await store.getSession().catch((error: unknown) => {
      logger.warn('Reading the session record failed; starting without it', { reason: (error as Error).message });
      return undefined;
    });
    const token = await createControllerToken(clients.ivs, config.stageArn, config.sessionId);
    participantId = token.participantId;
    server = await startPageServer();
    cleanups.push(() => server.close());
    chromium = await (deps.launch ?? launchChromium)(config.chromiumPath);
    cleanups.push(() => chromium.close());
    page = await ProgramPage.open({
      browser: chromium.browser,
      server,
      title: (session as { title?: string } | undefined)?.title ?? DEFAULT_TITLE,
      onConsole: (level, text) => logger.debug('page', { level, text: text.slice(0, 500) }),
    });
    if (stopSignal.aborted) {
      await cleanup();
      return 0;
    }
    await page.join(config.stageTransport, token.token, JOIN_TIMEOUT_SECONDS * 1000);
    logger.info('Joined the stage and publishing', { participantId, transport: config.stageTransport });
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
  const player = new MediaPlayer({
    page,
    openMedia: (url) => server.media.register(fetcher.open(url), fetcher.limits.maxBytes),
    ...(hostId ? { loudnessOf: (url: string) => store.trackLoudness(hostId, url) } : {}),
    now,
  });
  const report = async () => store.putNowPlaying(await player.snapshot());

  const loopStop = new AbortController();
  let exitCode = 0;
  const onStop = () => loopStop.abort();
  stopSignal.addEventListener('abort', onStop, { once: true });
  chromium.browser.once('disconnected', () => {
    if (!stopSignal.aborted) {
      logger.error('Chromium went away; the controller stops so it is replaced');
      exitCode = 1;
      loopStop.abort();
    }
  });

  // What a previous controller played is resumed while the queue is already read: the READY token is
  // answered at once; commands wait until the program is restored (they apply on top of it).
  const restored = restoreProgram(session, player, report, logger);

  const reporter = setInterval(() => {
    if (player.playing) report().catch((e: unknown) => logger.warn('Now-playing report failed', { reason: (e as Error).message }));
  }, NOW_PLAYING_REPORT_SECONDS * 1000);
  cleanups.push(async () => clearInterval(reporter));

  const processor = new CommandProcessor({
    // Results are recorded with this controller's participant id (appliedBy).
    store: new SessionStore(clients.doc, config.sessionsTableName, config.sessionId, participantId),
    apply: async (message) => {
      await restored;
      await player.apply(message.command);
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
  const loop = new QueueLoop({ sqs: clients.sqs, queueUrl: config.queueUrl, sessionId: config.sessionId, commands: processor, callbacks, logger });
  await loop.run(loopStop.signal);

  logger.info('Stopping: leaving the stage', { exitCode });
  stopSignal.removeEventListener('abort', onStop);
  heartbeats.stopAll();
  await Promise.race([report().catch(() => undefined), delay(1000)]);
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

/** Waits for the READY token (until the deadline or a stop) and fails it with the reason. Commands are left alone. */
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
  while (!stopSignal.aborted && Date.now() < deadline) {
    let messages: Message[];
    try {
      messages = await receiver.receive(AbortSignal.any([stopSignal, AbortSignal.timeout(Math.max(1, deadline - Date.now()))]));
    } catch {
      continue;
    }
    for (const message of messages) {
      const parsed = QueueMessage.safeParse(safeJson(message.Body));
      if (!parsed.success || parsed.data.kind !== 'CALLBACK' || parsed.data.callback !== 'READY') continue;
      await failReadyToken(clients.sfn, parsed.data.taskToken, `The program controller could not join the stage: ${reason}`);
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: config.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      logger.info('READY token failed with Shelcaster.ControllerFailed');
      return;
    }
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
