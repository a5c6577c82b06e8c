/**
 * Fault injection for the local cloud: per service (the signing name: `dynamodb`, `sqs`, `lambda`, `states`,
 * `ecs`, `events`, `s3`, `ivs`, `logs`) and optionally per operation, an error rate, an added latency and an
 * outage window. A request a fault hits gets the error AWS's service answers when it is in trouble, in the
 * service's protocol shape (error-shapes.ts): `ServiceUnavailable` (503) during an outage,
 * `InternalServerError`/`InternalFailure` (500) at the error rate, the service's throttling error when the
 * fault throttles (`ThrottlingException`; Lambda `TooManyRequestsException` 429; DynamoDB
 * `ThrottlingException` 400). Nothing reaches the provider then, so nothing changes.
 *
 * A fault can also kill its caller (`killCaller`): the Lambda execution environment that signed the matching
 * request (known by its role credentials' access key) is terminated before the request goes further, as a
 * function whose process crashed at that call (its invocation fails with `Runtime.ExitError`, and API Gateway
 * answers its 500). It hits `times` requests (default 1), then it is spent and removed. Requests that no
 * running function signed pass through untouched.
 *
 * A fault can gather requests (`gather`): matching requests (those a given function signed, when it names one)
 * are held until `requests` of them have arrived, then all go on together, so calls that would otherwise be
 * minutes apart on a busy machine meet at the service at once (two conditional writes that race). It is spent
 * once it lets them go, or after `maxWaitMs` (default 60 s) without enough of them, when those held go on.
 *
 * Faults are set at start (`SHELCASTER_FAULTS`, a JSON array of FaultSpec) or at run time through the gateway's
 * local-only endpoint `/_local/faults` (GET lists, POST adds `{faults: FaultSpec[]}`, DELETE clears), which
 * answers loopback clients that send no `Origin` (no web page can reach it through a browser). It exists only
 * locally; AWS has no such endpoint (its Fault Injection Service is a separate product).
 *
 * Written here rather than taken from a library: the faults must come out in each AWS protocol's error shape
 * at the gateway, which no fault-injection package knows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock, type TimerHandle } from '#local-cloud/clock';
import { protocolError } from './error-shapes.ts';
import type { AwsRequest, AwsResponse } from './provider.ts';

/** The path of the local-only fault endpoint on the gateway. */
export const FAULTS_PATH = '/_local/faults';

/** One fault as it is set (at start or through the endpoint). */
export interface FaultSpec {
  /** The service's signing name (`dynamodb`, `sqs`, `lambda`, ...). */
  service: string;
  /** One operation (`PutItem`, `ReceiveMessage`, `Invoke`, ...); every operation of the service without it. */
  operation?: string;
  /** Share of matching requests that fail, 0 to 1. */
  errorRate?: number;
  /** Whether the failures at `errorRate` are the service's throttling error rather than a 500. */
  throttle?: boolean;
  /** Milliseconds added before each matching request is answered. */
  latencyMs?: number;
  /** An outage: every matching request fails with ServiceUnavailable from `startInSeconds` (default 0) for `seconds`. */
  outage?: { seconds: number; startInSeconds?: number };
  /**
   * Narrows `errorRate`, `latencyMs` and `outage` to the requests one function's execution environments signed
   * (a Lambda's own calls, as AWS would slow or fail them for it alone); without it every caller's match.
   */
  functionName?: string;
  /**
   * Kills the function that sends a matching request (of `functionName` only, when given) before the request
   * goes further, `times` times (default 1). Not combined with the other kinds.
   */
  killCaller?: { functionName?: string; times?: number };
  /**
   * Holds matching requests (of `functionName` only, when given) until `requests` have arrived, then lets them
   * all go on at once; or after `maxWaitMs` (default 60 s) from the first, with those it holds. Spent either way.
   * Not combined with the other kinds.
   */
  gather?: { requests: number; functionName?: string; maxWaitMs?: number };
}

/** A fault as held: its outage as absolute times on the local cloud's clock, the kills it has left, how many calls a gather holds. */
export interface ActiveFault extends Omit<FaultSpec, 'outage' | 'killCaller' | 'gather'> {
  id: number;
  outage?: { from: string; until: string };
  killCaller?: { functionName?: string; times: number };
  gather?: { requests: number; functionName?: string; maxWaitMs: number; held: number };
}

/** A running Lambda execution environment, as the faults see it. */
export interface CallerEnvironment {
  functionName: string;
  /** Terminates it, as a crash of the function's process: its invocation fails. */
  kill(): Promise<void>;
}

/** The local Lambda service, for `killCaller`: the environment whose role credentials have this access key. */
export interface FunctionHost {
  environmentSigningWith(accessKeyId: string): CallerEnvironment | undefined;
}

/** A fault specification that cannot be used. */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

const NAME_PATTERN = /^[A-Za-z0-9-]{1,64}$/;
const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest latency or outage accepted: one hour. */
const MAX_MS = 3_600_000;
/** Most kills one fault may make. */
const MAX_KILLS = 1000;
/** Most requests one gather holds. */
const MAX_GATHERED = 100;
/** How long a gather holds what it has when too few come (`gather.maxWaitMs` by default). */
const DEFAULT_GATHER_WAIT_MS = 60_000;

/** Checks one specification; throws FaultSpecError with what is wrong. */
export function parseFaultSpec(value: unknown): FaultSpec {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FaultSpecError('A fault must be an object.');
  const spec = value as Record<string, unknown>;
  const known = new Set(['service', 'operation', 'errorRate', 'throttle', 'latencyMs', 'outage', 'functionName', 'killCaller', 'gather']);
  const unknown = Object.keys(spec).find((key) => !known.has(key));
  if (unknown) throw new FaultSpecError(`Unknown fault field "${unknown}".`);
  if (typeof spec.service !== 'string' || !NAME_PATTERN.test(spec.service)) throw new FaultSpecError('service must be a service signing name such as "dynamodb".');
  if (spec.operation !== undefined && (typeof spec.operation !== 'string' || !NAME_PATTERN.test(spec.operation))) throw new FaultSpecError('operation must be an operation name such as "PutItem".');
  if (spec.errorRate !== undefined && !(typeof spec.errorRate === 'number' && spec.errorRate >= 0 && spec.errorRate <= 1)) throw new FaultSpecError('errorRate must be a number from 0 to 1.');
  if (spec.throttle !== undefined && typeof spec.throttle !== 'boolean') throw new FaultSpecError('throttle must be true or false.');
  if (spec.latencyMs !== undefined && !(Number.isInteger(spec.latencyMs) && (spec.latencyMs as number) >= 0 && (spec.latencyMs as number) <= MAX_MS)) {
    throw new FaultSpecError(`latencyMs must be a whole number from 0 to ${MAX_MS}.`);
  }
  if (spec.outage !== undefined) {
    const outage = spec.outage as { seconds?: unknown; startInSeconds?: unknown } | null;
    const seconds = outage?.seconds;
    const start = outage?.startInSeconds ?? 0;
    if (typeof seconds !== 'number' || !(seconds > 0 && seconds * 1000 <= MAX_MS) || typeof start !== 'number' || !(start >= 0 && start * 1000 <= MAX_MS)) {
      throw new FaultSpecError('outage must be {seconds, startInSeconds?} with seconds > 0, both at most an hour.');
    }
  }
  checkFunctionName(spec.functionName, 'functionName');
  for (const kind of ['killCaller', 'gather'] as const) {
    if (spec[kind] === undefined) continue;
    if (kind === 'killCaller') parseKillCaller(spec.killCaller);
    else parseGather(spec.gather);
    const others = ['errorRate', 'throttle', 'latencyMs', 'outage', 'functionName', 'killCaller', 'gather'].filter((key) => key !== kind && spec[key] !== undefined);
    if (others.length > 0) throw new FaultSpecError(`${kind} is a fault of its own: it takes no ${others.join(', ')}.`);
    return spec as unknown as FaultSpec;
  }
  if (spec.errorRate === undefined && spec.latencyMs === undefined && spec.outage === undefined) throw new FaultSpecError('A fault needs errorRate, latencyMs, outage, killCaller or gather.');
  return spec as unknown as FaultSpec;
}

/** A fault's function name, where one may be given: absent, or a function's name. */
function checkFunctionName(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== 'string' || !FUNCTION_NAME_PATTERN.test(value))) {
    throw new FaultSpecError(`${field} must be a function name such as "shelcaster-start-controller".`);
  }
}

/** Whether a fault naming `wanted` (or no function) applies to a call `signedBy` signed (or no function did). */
function namesCaller(wanted: string | undefined, signedBy: string | undefined): boolean {
  return wanted === undefined || wanted === signedBy;
}

function parseKillCaller(value: unknown): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FaultSpecError('killCaller must be {functionName?, times?}.');
  const kill = value as Record<string, unknown>;
  const unknown = Object.keys(kill).find((key) => key !== 'functionName' && key !== 'times');
  if (unknown) throw new FaultSpecError(`Unknown killCaller field "${unknown}".`);
  checkFunctionName(kill.functionName, 'killCaller.functionName');
  if (kill.times !== undefined && !(Number.isInteger(kill.times) && (kill.times as number) >= 1 && (kill.times as number) <= MAX_KILLS)) {
    throw new FaultSpecError(`killCaller.times must be a whole number from 1 to ${MAX_KILLS}.`);
  }
}

function parseGather(value: unknown): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FaultSpecError('gather must be {requests, functionName?, maxWaitMs?}.');
  const gather = value as Record<string, unknown>;
  const unknown = Object.keys(gather).find((key) => key !== 'requests' && key !== 'functionName' && key !== 'maxWaitMs');
  if (unknown) throw new FaultSpecError(`Unknown gather field "${unknown}".`);
  if (!(Number.isInteger(gather.requests) && (gather.requests as number) >= 2 && (gather.requests as number) <= MAX_GATHERED)) {
    throw new FaultSpecError(`gather.requests must be a whole number from 2 to ${MAX_GATHERED}.`);
  }
  checkFunctionName(gather.functionName, 'gather.functionName');
  if (gather.maxWaitMs !== undefined && !(Number.isInteger(gather.maxWaitMs) && (gather.maxWaitMs as number) >= 1 && (gather.maxWaitMs as number) <= MAX_MS)) {
    throw new FaultSpecError(`gather.maxWaitMs must be a whole number from 1 to ${MAX_MS}.`);
  }
}

/** What AWS's service answers in trouble: its unavailable, internal-error and throttling errors. */
interface ServiceErrors {
  unavailable: [code: string, status: number];
  internal: [code: string, status: number];
  throttled: [code: string, status: number];
}

const DEFAULT_ERRORS: ServiceErrors = {
  unavailable: ['ServiceUnavailable', 503],
  internal: ['InternalFailure', 500],
  throttled: ['ThrottlingException', 400],
};

const SERVICE_ERRORS: Record<string, ServiceErrors> = {
  dynamodb: { unavailable: ['ServiceUnavailable', 503], internal: ['InternalServerError', 500], throttled: ['ThrottlingException', 400] },
  sqs: { unavailable: ['ServiceUnavailable', 503], internal: ['InternalError', 500], throttled: ['ThrottlingException', 400] },
  lambda: { unavailable: ['ServiceException', 503], internal: ['ServiceException', 500], throttled: ['TooManyRequestsException', 429] },
  states: { unavailable: ['ServiceUnavailable', 503], internal: ['InternalFailure', 500], throttled: ['ThrottlingException', 400] },
  s3: { unavailable: ['ServiceUnavailable', 503], internal: ['InternalError', 500], throttled: ['SlowDown', 503] },
};

/** Services on AWS's REST-JSON protocol: neither X-Amz-Target JSON, query nor S3 XML errors. */
const REST_JSON_SERVICES = new Set(['lambda', 'ivs']);

const MESSAGES: Record<keyof ServiceErrors, string> = {
  unavailable: 'The service is unavailable. Please try again later.',
  internal: 'The request processing has failed because of an unknown error.',
  throttled: 'Rate exceeded',
};

export interface FaultInjectorOptions {
  clock?: Clock;
  /** A number in [0, 1): Math.random by default (a test gives a fixed sequence). */
  random?: () => number;
  /** Waits `ms` of the clock's time (added latency). */
  sleep?: (ms: number) => Promise<void>;
}

/** Holds the faults and decides, per request, whether one hits it. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private functions?: FunctionHost;
  /** What each gather fault holds (by its id): the requests' ways on, and its time limit once one came. */
  private readonly gathering = new Map<number, { release: (() => void)[]; timer?: TimerHandle }>();

  constructor(options: FaultInjectorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => this.clock.setTimeout(resolve, ms)));
  }

  /** Gives the local Lambda service, whose environments `killCaller` faults kill and `gather` faults tell apart (none without it). */
  setFunctionHost(functions: FunctionHost): void {
    this.functions = functions;
  }

  /** Adds faults; returns them as held (outages as absolute times). */
  add(specs: readonly FaultSpec[]): ActiveFault[] {
    const now = this.clock.now();
    const added = specs.map((spec) => {
      const { outage, killCaller, gather, ...rest } = parseFaultSpec(spec);
      const fault: ActiveFault = { ...rest, id: this.nextId++ };
      if (killCaller) fault.killCaller = { ...killCaller, times: killCaller.times ?? 1 };
      if (gather) fault.gather = { ...gather, maxWaitMs: gather.maxWaitMs ?? DEFAULT_GATHER_WAIT_MS, held: 0 };
      if (outage) {
        const from = now + (outage.startInSeconds ?? 0) * 1000;
        fault.outage = { from: new Date(from).toISOString(), until: new Date(from + outage.seconds * 1000).toISOString() };
      }
      return fault;
    });
    this.faults.push(...added);
    return added;
  }

  list(): ActiveFault[] {
    return this.faults.map((fault) => ({
      ...fault,
      ...(fault.killCaller ? { killCaller: { ...fault.killCaller } } : {}),
      ...(fault.gather ? { gather: { ...fault.gather } } : {}),
    }));
  }

  /** Removes every fault; requests a gather holds go on. */
  clear(): void {
    for (const fault of this.faults) if (fault.gather) this.letGo(fault);
    this.faults = [];
  }

  /**
   * The gateway's one call: waits the added latency of the faults matching the request, then answers the
   * injected error if one hits it, or undefined to let the provider answer.
   */
  async intercept(request: AwsRequest, service: string, operation: string | undefined, requestId: string): Promise<AwsResponse | undefined> {
    await this.gather(request, service, operation);
    if (await this.killCaller(request, service, operation)) {
      // Nobody reads this answer: the caller is gone.
      return protocolError(request, 'InternalFailure', 'The caller was killed by an injected fault.', 500, requestId);
    }
    const signedBy = this.faults.some((candidate) => candidate.functionName !== undefined) ? this.signingEnvironment(request)?.functionName : undefined;
    const fault = await this.failure(service, operation, signedBy);
    if (!fault) return undefined;
    const { code, status, message } = fault;
    if (REST_JSON_SERVICES.has(service)) {
      // REST-JSON services (Lambda, IVS): the SDK reads the error's name from x-amzn-errortype.
      return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code }, body: JSON.stringify({ Type: 'Service', message }) };
    }
    return protocolError(request, code, message, status, requestId);
  }

  /**
   * Waits the added latency of the faults matching a call, then gives the error one of them injects, or
   * undefined. The gateway's requests come through `intercept`; calls one service makes to another inside
   * the local cloud (EventBridge invoking a Lambda target) ask here, as they meet the same faults on AWS.
   * `signedBy` is the function whose environment signed the call, if one did (faults naming a function match
   * only its calls).
   */
  async failure(service: string, operation: string | undefined, signedBy?: string): Promise<{ code: string; status: number; message: string } | undefined> {
    if (this.faults.length === 0) return undefined;
    const now = this.clock.now();
    this.faults = this.faults.filter((fault) => !fault.outage || Date.parse(fault.outage.until) > now || fault.errorRate !== undefined || fault.latencyMs !== undefined);
    const matching = this.faults.filter(
      (fault) => !fault.killCaller && !fault.gather && this.matches(fault, service, operation) && namesCaller(fault.functionName, signedBy),
    );
    if (matching.length === 0) return undefined;
    const latency = Math.max(0, ...matching.map((fault) => fault.latencyMs ?? 0));
    if (latency > 0) await this.sleep(latency);
    const errors = SERVICE_ERRORS[service] ?? DEFAULT_ERRORS;
    const at = this.clock.now();
    let kind: keyof ServiceErrors | undefined;
    if (matching.some((fault) => fault.outage && Date.parse(fault.outage.from) <= at && at < Date.parse(fault.outage.until))) kind = 'unavailable';
    else {
      const hit = matching.find((fault) => fault.errorRate !== undefined && this.random() < fault.errorRate);
      if (hit) kind = hit.throttle ? 'throttled' : 'internal';
    }
    if (!kind) return undefined;
    const [code, status] = errors[kind];
    return { code, status, message: MESSAGES[kind] };
  }

  private matches(fault: ActiveFault, service: string, operation: string | undefined): boolean {
    return fault.service === service && (fault.operation === undefined || fault.operation === operation);
  }

  /** The execution environment that signed `request`, if a running one did. */
  private signingEnvironment(request: AwsRequest): CallerEnvironment | undefined {
    const accessKeyId = request.caller?.accessKeyId;
    if (!this.functions || accessKeyId === undefined) return undefined;
    return this.functions.environmentSigningWith(accessKeyId);
  }

  /** Holds `request` while a gather fault that matches it waits for more (returns at once when none does). */
  private async gather(request: AwsRequest, service: string, operation: string | undefined): Promise<void> {
    const candidates = this.faults.filter((fault) => fault.gather && this.matches(fault, service, operation));
    if (candidates.length === 0) return;
    const signedBy = this.signingEnvironment(request)?.functionName;
    const fault = candidates.find((candidate) => namesCaller(candidate.gather!.functionName, signedBy));
    if (!fault?.gather) return;
    const gather = fault.gather;
    gather.held += 1;
    let waiting = this.gathering.get(fault.id);
    if (!waiting) {
      waiting = { release: [] };
      this.gathering.set(fault.id, waiting);
      waiting.timer = this.clock.setTimeout(() => this.letGo(fault), gather.maxWaitMs);
    }
    const held = new Promise<void>((resolve) => waiting.release.push(resolve));
    if (gather.held >= gather.requests) this.letGo(fault);
    await held;
  }

  /** Lets the requests a gather fault holds go on together, and removes it (spent). */
  private letGo(fault: ActiveFault): void {
    this.faults = this.faults.filter((held) => held !== fault);
    const waiting = this.gathering.get(fault.id);
    if (!waiting) return;
    this.gathering.delete(fault.id);
    waiting.timer?.cancel();
    for (const release of waiting.release) release();
  }

  /** Kills the function environment that signed `request` when a killCaller fault matches it; whether it did. */
  private async killCaller(request: AwsRequest, service: string, operation: string | undefined): Promise<boolean> {
    const candidates = this.faults.filter((fault) => fault.killCaller && this.matches(fault, service, operation));
    if (candidates.length === 0) return false;
    const environment = this.signingEnvironment(request);
    if (!environment) return false;
    const fault = candidates.find((candidate) => namesCaller(candidate.killCaller!.functionName, environment.functionName));
    if (!fault?.killCaller) return false;
    // Spent before the kill is awaited, so concurrent requests never take more kills than it has.
    fault.killCaller.times -= 1;
    if (fault.killCaller.times === 0) this.faults = this.faults.filter((held) => held !== fault);
    await environment.kill();
    return true;
  }

  /** Answers the local-only endpoint `/_local/faults` (GET, POST `{faults}`, DELETE). */
  async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (!isLocalCaller(req)) return send(403, { code: 'LocalOnly', message: 'The fault endpoint answers loopback clients without an Origin only.' });
    if (req.method === 'GET') return send(200, { faults: this.list() });
    if (req.method === 'DELETE') {
      this.clear();
      return send(200, { faults: [] });
    }
    if (req.method !== 'POST') return send(405, { code: 'MethodNotAllowed', message: 'Use GET, POST or DELETE.' });
    if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      return send(415, { code: 'UnsupportedMediaType', message: 'The request body must be application/json.' });
    }
    let specs: unknown;
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > 64 * 1024) return send(413, { code: 'TooLarge', message: 'The request body is too large.' });
        chunks.push(chunk);
      }
      specs = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { faults?: unknown } | null)?.faults;
    } catch {
      return send(400, { code: 'InvalidJson', message: 'The request body is not valid JSON.' });
    }
    if (!Array.isArray(specs) || specs.length === 0) return send(400, { code: 'InvalidFault', message: 'faults must be a non-empty array.' });
    try {
      const checked = specs.map(parseFaultSpec);
      return send(200, { faults: this.add(checked) });
    } catch (error) {
      if (error instanceof FaultSpecError) return send(400, { code: 'InvalidFault', message: error.message });
      throw error;
    }
  }
}

/** Whether a request comes from this machine and not through a web page (no Origin header). */
function isLocalCaller(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const loopback = address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
  return loopback && req.headers.origin === undefined;
}

/** The faults of `SHELCASTER_FAULTS` (a JSON array of FaultSpec); throws FaultSpecError with what is wrong. */
export function faultsFromSetting(setting: string | undefined): FaultSpec[] {
  if (setting === undefined || setting.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(setting);
  } catch {
    throw new FaultSpecError('SHELCASTER_FAULTS must be a JSON array of faults.');
  }
  if (!Array.isArray(parsed)) throw new FaultSpecError('SHELCASTER_FAULTS must be a JSON array of faults.');
  return parsed.map(parseFaultSpec);
}
