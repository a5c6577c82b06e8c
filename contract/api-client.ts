/**
 * The typed client of the HTTP API, built from API_ROUTES: an operation is named after the function behind
 * its route (`getSession`), takes that route's path parameters and body, and answers that route's view
 * (api-responses.ts). The console, the benchmark, the demo seed and the tests' helpers call the API through
 * it, so no caller writes a path by hand. Plain `fetch`, no Node or schema library: the console bundles it.
 */
import type { CommandInput } from './commands.ts';
import type { RunOfShowEditBody, RunOfShowView } from './run-of-show.ts';
import type { AsRunView } from './as-run.ts';
import type { ChaptersDocument } from './chapters.ts';
import type { CreateMediaBody, CreateParticipantTokenBody, CreateSessionBody, CreateTrackBody } from './api-requests.ts';
import type {
  AcceptedCommandView,
  ApiErrorBody,
  CommandView,
  CreatedSessionView,
  CreateMediaResponse,
  EndingSessionView,
  ParticipantTokenView,
  SessionView,
  TrackListView,
  TrackView,
} from './api-responses.ts';
import { API_ROUTES, fillRoutePath, IDEMPOTENCY_KEY_HEADER, type ApiRoute } from './api-routes.ts';

/** No path parameters. */
type NoParams = Record<never, string>;

/**
 * What each JSON operation takes and answers on success. `result` is undefined for the answers without a
 * body: DELETE /tracks/{trackId} (204) and GET /sessions/{sessionId}/recording (302 to the episode).
 */
export interface ApiOperations {
  createSession: { params: NoParams; body: CreateSessionBody; result: CreatedSessionView };
  getSession: { params: { sessionId: string }; body: undefined; result: SessionView };
  endSession: { params: { sessionId: string }; body: undefined; result: EndingSessionView };
  createParticipantToken: { params: { sessionId: string }; body: CreateParticipantTokenBody; result: ParticipantTokenView };
  enqueueCommand: { params: { sessionId: string }; body: CommandInput; result: AcceptedCommandView };
  getCommand: { params: { sessionId: string; commandId: string }; body: undefined; result: CommandView };
  createMediaUpload: { params: NoParams; body: CreateMediaBody; result: CreateMediaResponse };
  getRecording: { params: { sessionId: string }; body: undefined; result: undefined };
  listTracks: { params: NoParams; body: undefined; result: TrackListView };
  createTrack: { params: NoParams; body: CreateTrackBody; result: TrackView };
  deleteTrack: { params: { trackId: string }; body: undefined; result: undefined };
  getRunOfShow: { params: { sessionId: string }; body: undefined; result: RunOfShowView };
  editRunOfShow: { params: { sessionId: string }; body: RunOfShowEditBody; result: RunOfShowView };
  /** JSON; with `Accept: text/csv` the answer is CSV (read it from the response as text). */
  getAsRun: { params: { sessionId: string }; body: undefined; result: AsRunView };
  getChapters: { params: { sessionId: string }; body: undefined; result: ChaptersDocument };
}

export type ApiOperationName = keyof ApiOperations;

/** The operations, each with its one route of API_ROUTES. */
export const API_OPERATION_NAMES = [
  'createSession',
  'getSession',
  'endSession',
  'createParticipantToken',
  'enqueueCommand',
  'getCommand',
  'createMediaUpload',
  'getRecording',
  'listTracks',
  'createTrack',
  'deleteTrack',
  'getRunOfShow',
  'editRunOfShow',
  'getAsRun',
  'getChapters',
] as const satisfies readonly ApiOperationName[];

/** The route of an operation; throws when API_ROUTES has not exactly one route for its function. */
export function routeOfOperation(name: ApiOperationName): ApiRoute {
  const routes = API_ROUTES.filter((route) => route.function === name);
  if (routes.length !== 1) throw new Error(`API_ROUTES has ${routes.length} routes for the operation ${name}`);
  return routes[0] as ApiRoute;
}

/** The path of an operation with its parameters filled in (`/sessions/<id>`). */
export function operationPath<Name extends ApiOperationName>(name: Name, params?: ApiOperations[Name]['params']): string {
  return fillRoutePath(routeOfOperation(name), params as Readonly<Record<string, string>> | undefined);
}

/** A request of one operation: its path parameters and body when it has them, and per-request options. */
export type ApiRequest<Name extends ApiOperationName> = (keyof ApiOperations[Name]['params'] extends never
  ? { params?: undefined }
  : { params: ApiOperations[Name]['params'] }) &
  (ApiOperations[Name]['body'] extends undefined ? { body?: undefined } : { body: ApiOperations[Name]['body'] }) & {
    /** Sent as the Idempotency-Key header (POST /sessions and POST commands honour it). */
    idempotencyKey?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** An error body: the API's own, or API Gateway's (`{message}` alone, as its 401 `Unauthorized`). */
export type ApiFailureBody = ApiErrorBody | { code?: undefined; message: string; issues?: undefined };

/** What the API answered: a success with the operation's result, or a failure with its error body. */
export type ApiAnswer<Name extends ApiOperationName> =
  | { ok: true; status: number; headers: Headers; url: string; body: ApiOperations[Name]['result'] }
  | { ok: false; status: number; headers: Headers; url: string; body: ApiFailureBody };

/** An answer of the API that is not a success (or no answer: status 0, code NETWORK_ERROR). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The code and message of an error body, the field issues appended to the message. */
export function describeApiFailure(status: number, body: unknown): { code: string; message: string } {
  const typed = (body ?? {}) as Partial<ApiErrorBody> & { message?: string };
  const issues = typed.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const base = typed.message ?? `HTTP ${status}`;
  return { code: typed.code ?? (status === 401 ? 'UNAUTHORIZED' : 'HTTP_ERROR'), message: issues ? `${base} (${issues})` : base };
}

/** The Retry-After header in seconds, when it holds a positive number. */
export function retryAfterSecondsOf(headers: Headers): number | undefined {
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

export interface ApiClientOptions {
  /** The API's base URL, without a trailing slash (`http://127.0.0.1:3000`). */
  baseUrl: string;
  /** The bearer token, or a function read before every request (a host may sign in again). */
  token?: string | (() => string | undefined);
  /** Redirects followed (the default) or answered as they are (`manual`: a 302's Location is readable). */
  redirect?: RequestRedirect;
  fetch?: typeof fetch;
}

/** The HTTP API called as one caller. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** The current bearer token, if any. */
  get token(): string | undefined {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }

  /** The full URL of an operation. */
  url<Name extends ApiOperationName>(name: Name, params?: ApiOperations[Name]['params']): string {
    return `${this.baseUrl}${operationPath(name, params)}`;
  }

  /** Sends one request and answers what the API answered; throws ApiError (status 0) only when nothing answered. */
  async send<Name extends ApiOperationName>(name: Name, request: ApiRequest<Name>): Promise<ApiAnswer<Name>> {
    const route = routeOfOperation(name);
    const url = this.url(name, request.params as ApiOperations[Name]['params'] | undefined);
    const token = this.token;
    const body: unknown = request.body;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method: route.method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.idempotencyKey === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER]: request.idempotencyKey }),
          ...request.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(this.options.redirect ? { redirect: this.options.redirect } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK_ERROR', `The API could not be reached (${route.method} ${route.path}).`, undefined, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const answered = { status: response.status, headers: response.headers, url: response.url };
    if (response.status >= 200 && response.status < 400) return { ok: true, ...answered, body: parsed as ApiOperations[Name]['result'] };
    const failure: ApiFailureBody =
      parsed !== null && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string'
        ? (parsed as ApiFailureBody)
        : { message: text ? text.slice(0, 200) : `HTTP ${response.status}` };
    return { ok: false, ...answered, body: failure };
  }

  /** Sends one request and answers its result; throws ApiError unless the API answered a success. */
  async call<Name extends ApiOperationName>(name: Name, request: ApiRequest<Name>): Promise<ApiOperations[Name]['result']> {
    const answer = await this.send(name, request);
    if (answer.ok) return answer.body;
    const { code, message } = describeApiFailure(answer.status, answer.body);
    throw new ApiError(answer.status, code, message, retryAfterSecondsOf(answer.headers));
  }
}
