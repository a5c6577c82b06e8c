/**
 * The host's side of the local API for system tests, through the contract's typed client: upload a track,
 * start a session and wait until it is LIVE, send media commands and wait for their result, end a session and
 * wait until it is over, and fetch its recording. `request()` sends what the contract's client would not (bad
 * paths and bodies), for the tests of refusals.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ApiClient,
  MEDIA_CONTENT_TYPES,
  type ApiAnswer as TypedApiAnswer,
  type ApiOperationName,
  type ApiRequest,
  type CommandInput,
  type DuckingSettingsInput,
  type SessionView,
} from '#contract/index';
import { eventually } from './eventually.ts';
import type { RunningLocalCloud } from './local-cloud.ts';
import { readSessionRecord } from './session-record.ts';

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A finished command as the API reports it, with the times the test saw. */
export interface CommandOutcome {
  commandId: string;
  status: 'APPLIED' | 'FAILED';
  reason?: string;
  /** When the test sent POST /commands (ms since the epoch). */
  postedAtMs: number;
  /** The record's appliedAt (ms since the epoch): when the controller finished the command. */
  appliedAtMs: number;
}

/** A client of the local API for one host. */
export class SessionApi {
  constructor(
    private readonly cloud: Pick<RunningLocalCloud, 'apiUrl'> & Partial<Pick<RunningLocalCloud, 'awsEndpoint'>>,
    private readonly token: string,
  ) {}

  /** Sends one operation of the API (redirects are not followed) and answers what the API answered. */
  async send<Name extends ApiOperationName>(name: Name, request: ApiRequest<Name>): Promise<TypedApiAnswer<Name>> {
    return await new ApiClient({ baseUrl: this.cloud.apiUrl, token: this.token, redirect: 'manual' }).send(name, request);
  }

  /** A session's view; throws unless the API answers it. */
  async session(sessionId: string): Promise<SessionView> {
    const answer = await this.send('getSession', { params: { sessionId } });
    if (!answer.ok) throw new Error(`GET session answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Calls the API (redirects are not followed), with `headers` besides the token's; parses a JSON body. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer & { headers: Headers }> {
    const response = await fetch(`${this.cloud.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...headers, authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Uploads a track as a host does (POST /media, then PUT to the presigned URL); returns its programUrl. */
  async uploadTrack(filePath: string, contentType: string): Promise<string> {
    const bytes = await readFile(filePath);
    const declared = MEDIA_CONTENT_TYPES.find((type) => type === contentType);
    if (!declared) throw new Error(`uploadTrack: ${contentType} is not a content type the helper uploads`);
    const created = await this.send('createMediaUpload', { body: { fileName: basename(filePath), contentType: declared, sizeBytes: bytes.length } });
    if (!created.ok || created.status !== 201) throw new Error(`POST /media answered ${created.status}: ${JSON.stringify(created.body)}`);
    const media = created.body;
    const put = await fetch(media.uploadUrl, { method: 'PUT', headers: media.uploadHeaders, body: bytes });
    if (put.status !== 200) throw new Error(`the upload PUT answered ${put.status}: ${await put.text()}`);
    return media.programUrl;
  }

  /** Waits for GET /sessions/{id}/recording to redirect (409 while it is not ready), then saves the episode to `path`. */
  async downloadRecording(sessionId: string, path: string, timeoutMs = 60_000): Promise<void> {
    const location = await eventually(
      async () => {
        const answer = await this.send('getRecording', { params: { sessionId } });
        if (answer.status === 302) return answer.headers.get('location') ?? undefined;
        if (answer.status !== 409) throw new Error(`GET recording answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return undefined;
      },
      timeoutMs,
      'the recording',
    );
    const episode = await fetch(location);
    if (episode.status !== 200) throw new Error(`the episode download answered ${episode.status}`);
    await writeFile(path, Buffer.from(await episode.arrayBuffer()));
  }

  /** POST /sessions (with the show's ducking, if given); returns the session id and execution ARN. */
  async createSession(title: string, options: { ducking?: DuckingSettingsInput } = {}): Promise<{ sessionId: string; executionArn: string }> {
    const created = await this.send('createSession', { body: { title, ...(options.ducking ? { ducking: options.ducking } : {}) } });
    if (!created.ok || created.status !== 202) throw new Error(`POST /sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
    return { sessionId: created.body.sessionId, executionArn: created.body.executionArn };
  }

  /** Waits until the session is LIVE (fails at once if it ended instead). */
  async waitLive(sessionId: string, timeoutMs = 60_000): Promise<SessionView> {
    const s = await eventually(
      async () => {
        const view = await this.session(sessionId);
        return view.status === 'LIVE' || view.status === 'FAILED' || view.status === 'ENDED' ? view : undefined;
      },
      timeoutMs,
      'the session to go LIVE',
    );
    if (s.status !== 'LIVE') {
      // The record's reasonDetail (not in the API's view) says why, e.g. the controller's join error.
      const endpoint = this.cloud.awsEndpoint;
      const detail = endpoint
        ? await readSessionRecord(endpoint, sessionId).then((r) => r?.reasonDetail, (e: Error) => `(record unread: ${e.message})`)
        : undefined;
      throw new Error(`the session ended instead of going LIVE: ${JSON.stringify(s)}; detail: ${detail ?? 'none'}`);
    }
    return s;
  }

  /** Waits until the session is ENDED or FAILED. */
  async waitOver(sessionId: string, timeoutMs = 60_000): Promise<SessionView> {
    return await eventually(
      async () => {
        const s = await this.session(sessionId);
        return s.status === 'ENDED' || s.status === 'FAILED' ? s : undefined;
      },
      timeoutMs,
      'the session to end',
    );
  }

  /** Sends a command and waits (polling every 50 ms) until the controller applied or failed it. */
  async command(sessionId: string, command: CommandInput, timeoutMs = 30_000): Promise<CommandOutcome> {
    const postedAtMs = Date.now();
    const sent = await this.send('enqueueCommand', { params: { sessionId }, body: command });
    if (!sent.ok || sent.status !== 202) throw new Error(`POST commands answered ${sent.status}: ${JSON.stringify(sent.body)}`);
    const commandId = sent.body.commandId;
    return await eventually(
      async () => {
        const got = await this.send('getCommand', { params: { sessionId, commandId } });
        if (!got.ok) throw new Error(`GET command answered ${got.status}: ${JSON.stringify(got.body)}`);
        const { status, reason, appliedAt } = got.body;
        if (status !== 'APPLIED' && status !== 'FAILED') return undefined;
        return { commandId, status, ...(reason !== undefined ? { reason } : {}), postedAtMs, appliedAtMs: Date.parse(appliedAt ?? '') };
      },
      timeoutMs,
      `command ${command.type} to be applied or failed`,
      50,
    );
  }

  /** Sends a command that must be APPLIED. */
  async applied(sessionId: string, command: CommandInput): Promise<CommandOutcome> {
    const outcome = await this.command(sessionId, command);
    if (outcome.status !== 'APPLIED') throw new Error(`${command.type} was not applied: ${outcome.reason ?? ''}`);
    return outcome;
  }
}

/** Waits until the wall clock reaches `atMs`. */
export async function until(atMs: number): Promise<void> {
  const wait = atMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
