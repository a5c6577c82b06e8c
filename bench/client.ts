/**
 * The benchmark as a client: the public HTTP API called as a host (one host per session, so the per-host
 * limits on sessions do not shape the figures), and AWS SDK clients pointed at the local cloud for what the
 * API does not show (execution history, tasks, queues, stages, recordings).
 */
import {
  type ApiAnswer,
  type ApiOperationName,
  type ApiRequest,
  type CommandInput,
  type SessionView,
} from '#contract/index';
import { eventually } from '#harness/eventually';
import { SessionApi } from '#harness/session-api';
import { awsClients, type AwsClients } from '#harness/system-session';
import { issueLocalToken } from '#local-cloud/api/local-issuer';
import type { TargetCloud } from './target-cloud.ts';
import { generateMedia, uploadMediaFor, type BenchMedia, type MediaFiles } from './media.ts';

export class BenchError extends Error {
  override name = 'BenchError';
}

/** An API answer, and when the request was sent and answered (epoch ms). */
export type TimedAnswer<Name extends ApiOperationName> = ApiAnswer<Name> & { sentAt: number; answeredAt: number };

/** The local API called as one host (the harness's SessionApi), each request timed. */
export class HostApi {
  private readonly api: SessionApi;

  constructor(
    readonly apiUrl: string,
    readonly hostId: string,
    private readonly token: string,
  ) {
    this.api = new SessionApi({ apiUrl }, token);
  }

  /** Sends one request and times it. */
  async send<Name extends ApiOperationName>(name: Name, request: ApiRequest<Name>): Promise<TimedAnswer<Name>> {
    const sentAt = Date.now();
    const answer = await this.api.send(name, request);
    return { ...answer, sentAt, answeredAt: Date.now() };
  }

  /** A session's view; throws unless the API answers it. */
  async session(sessionId: string): Promise<SessionView> {
    return await this.api.session(sessionId);
  }

  /** The bearer header value (for load tools). */
  get authorization(): string {
    return `Bearer ${this.token}`;
  }
}

/** Where the benchmark runs: the cloud, its clients, and a fresh host per session. */
export class BenchContext {
  readonly aws: AwsClients;
  private hosts = 0;
  /** When loops should stop adding work so the run ends within its budget (epoch ms). */
  softDeadline = Number.POSITIVE_INFINITY;

  /** Whether the run is past its soft deadline (loops stop early and say so). */
  get outOfTime(): boolean {
    return Date.now() > this.softDeadline;
  }

  constructor(
    readonly cloud: TargetCloud,
    readonly runId: string,
  ) {
    this.aws = awsClients(cloud);
  }

  private files: Promise<MediaFiles> | undefined;

  /** The benchmark's media uploaded as this host's own files (programUrls may name only one's own uploads). */
  async mediaFor(api: HostApi): Promise<BenchMedia> {
    this.files ??= generateMedia();
    return uploadMediaFor(this.aws.s3, api.hostId, await this.files);
  }

  /** A new host (its own user id and token). */
  async newHost(): Promise<HostApi> {
    const hostId = `bench-${this.runId}-${++this.hosts}`;
    return new HostApi(this.cloud.apiUrl, hostId, await issueLocalToken(hostId, { dataDir: this.cloud.dataDir }));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A session started by the benchmark. */
export interface BenchSession {
  api: HostApi;
  sessionId: string;
  executionArn: string;
  /** When POST /sessions was sent (epoch ms). */
  postedAt: number;
  /** liveAt of the session (epoch ms), once LIVE. */
  liveAt?: number;
}

/** POSTs a session and waits until it is LIVE (polling GET); fails when it ends first. */
export async function startSession(api: HostApi, title: string, timeoutMs = 90_000, onCreated?: (sessionId: string) => void): Promise<BenchSession> {
  const created = await api.send('createSession', { body: { title } });
  if (!created.ok || created.status !== 202) throw new BenchError(`POST /sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
  const session: BenchSession = {
    api,
    sessionId: created.body.sessionId,
    executionArn: created.body.executionArn,
    postedAt: created.sentAt,
  };
  onCreated?.(session.sessionId);
  const live = await eventually(
    async () => {
      const view = await api.session(session.sessionId);
      if (view.status === 'FAILED' || view.status === 'ENDED') throw new BenchError(`session ${session.sessionId} ended: ${JSON.stringify(view)}`);
      return view.status === 'LIVE' ? view : undefined;
    },
    timeoutMs,
    'the session to go LIVE',
    100,
  );
  session.liveAt = Date.parse(live.liveAt ?? '');
  return session;
}

/** DELETEs a session and waits until it is ENDED or FAILED; returns the DELETE's send time and the final view. */
export async function endSession(session: BenchSession, timeoutMs = 60_000): Promise<{ deletedAt: number; final: SessionView }> {
  const deleted = await session.api.send('endSession', { params: { sessionId: session.sessionId } });
  if (deleted.status !== 202 && deleted.status !== 200) throw new BenchError(`DELETE answered ${deleted.status}: ${JSON.stringify(deleted.body)}`);
  const final = await eventually(
    async () => {
      const view = await session.api.session(session.sessionId);
      return view.status === 'ENDED' || view.status === 'FAILED' ? view : undefined;
    },
    timeoutMs,
    'the session to end',
    100,
  );
  return { deletedAt: deleted.sentAt, final };
}

/** Tries to end a session this many times before it is reported as left running. */
const END_ATTEMPTS = 3;

/**
 * Ends sessions, two at a time, each tried again when ending it failed (on a loaded machine the end Lambda
 * can time out), and ignoring ones that already ended; never throws (the run goes on to clean up the rest).
 * A session it could not end is told to `log`: it would run beside every later figure.
 */
export async function endQuietly(sessions: readonly BenchSession[], log?: (line: string) => void): Promise<void> {
  const queue = [...sessions];
  const left: string[] = [];
  const worker = async () => {
    for (let session = queue.shift(); session; session = queue.shift()) {
      if (!(await endWithRetries(session))) left.push(session.sessionId);
    }
  };
  await Promise.all([worker(), worker()]);
  if (left.length > 0) log?.(`  could not end ${left.length} session(s), left running beside the later figures: ${left.join(', ')}`);
}

async function endWithRetries(session: BenchSession): Promise<boolean> {
  for (let attempt = 1; attempt <= END_ATTEMPTS; attempt++) {
    try {
      await endSession(session);
      return true;
    } catch {
      const status = await session.api.session(session.sessionId).then(
        (view) => view.status,
        () => undefined,
      );
      if (status === 'ENDED' || status === 'FAILED') return true;
    }
  }
  return false;
}

/** A command POSTed and, once applied, its latency. */
export interface SentCommand {
  commandId: string;
  type: CommandInput['type'];
  postedAt: number;
  status?: string;
  /** Server times (epoch ms): accepted by the API, applied by the controller. */
  acceptedAt?: number;
  appliedAt?: number;
  /** Why it FAILED. */
  reason?: string;
}

/** POSTs a command; throws unless it is accepted (202). */
export async function postCommand(session: BenchSession, command: CommandInput): Promise<SentCommand> {
  const response = await session.api.send('enqueueCommand', { params: { sessionId: session.sessionId }, body: command });
  if (!response.ok || response.status !== 202) throw new BenchError(`POST command answered ${response.status}: ${JSON.stringify(response.body)}`);
  return { commandId: response.body.commandId, type: command.type, postedAt: response.sentAt };
}

/** Polls a command until it is APPLIED or FAILED; fills in status and appliedAt. */
export async function waitApplied(session: BenchSession, sent: SentCommand, timeoutMs = 30_000): Promise<SentCommand> {
  const body = await eventually(
    async () => {
      const answer = await session.api.send('getCommand', { params: { sessionId: session.sessionId, commandId: sent.commandId } });
      return answer.ok && (answer.body.status === 'APPLIED' || answer.body.status === 'FAILED') ? answer.body : undefined;
    },
    timeoutMs,
    `command ${sent.type} to be applied`,
    20,
  );
  sent.status = body.status;
  sent.acceptedAt = Date.parse(body.acceptedAt);
  if (body.appliedAt !== undefined) sent.appliedAt = Date.parse(body.appliedAt);
  if (body.reason !== undefined) sent.reason = body.reason;
  return sent;
}
