/**
 * Reads byte ranges of an https media URL defensively, on every read: the URL policy is checked on the URL
 * and on every redirect target (at most MAX_MEDIA_REDIRECTS), the name is resolved here and refused if any
 * address is not allowed, and the socket connects to the checked address (a fixed `lookup`), which is
 * verified again once connected, so DNS rebinding finds nothing to rebind. Type and total size are checked
 * on every answer; the body is handed on as a stream (read as the player needs it).
 *
 * What the resolver or the network said never reaches the host: a name that does not resolve, resolves to a
 * non-public address, or connects elsewhere fails with NOT_PUBLIC_ADDRESS_REASON alone, and a network error
 * with its code alone (no address, port or host name). The refused address goes to the controller's log
 * (the error's `detail`), for the operator.
 *
 * A read may be bound to a version of the media (`ifMatch`, a strong ETag an earlier read returned): it is sent
 * as If-Match, and an answer of another version (412, or a server that ignores If-Match and names another
 * ETag) fails with MediaChangedError, never with the other version's bytes.
 */
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { NOT_PUBLIC_ADDRESS_REASON } from '#contract/index';
import type { MediaPolicy, Resolver, ResolvedAddress } from './media-policy.ts';
import { MediaChangedError, MediaFetchError, MediaRefusedError } from './media-errors.ts';
import { RangeNotSatisfiableError, rangeHeader, totalFromContentRange, type ByteRange, type MediaChunk, type MediaLimits } from './media-source.ts';

export const MAX_MEDIA_REDIRECTS = 5;

export interface HttpsFetchOptions {
  policy: MediaPolicy;
  resolve: Resolver;
  limits: MediaLimits;
  /** Extra TLS options (a test CA); production uses the system trust store. */
  tls?: Pick<RequestOptions, 'ca'>;
}

/**
 * Reads `range` of `url` (already allowed by the policy); `signal` aborts the read, body included. With
 * `ifMatch`, only that version of the media is read (MediaChangedError otherwise).
 */
export async function readHttpsMedia(url: URL, range: ByteRange | undefined, options: HttpsFetchOptions, signal: AbortSignal, ifMatch?: string): Promise<MediaChunk> {
  const timeout = AbortSignal.timeout(options.limits.timeoutMs);
  const headersSignal = AbortSignal.any([signal, timeout]);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const address = await checkedAddress(current.hostname, options);
    const response = await get(current, address, range, options, signal, headersSignal, ifMatch);
    const location = response.headers.location;
    if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
      response.resume();
      if (redirects >= MAX_MEDIA_REDIRECTS) throw new MediaFetchError(`media URL redirected more than ${MAX_MEDIA_REDIRECTS} times`);
      current = nextUrl(current, location, options.policy);
      continue;
    }
    if (response.statusCode === 416) {
      response.resume();
      throw new RangeNotSatisfiableError(totalFromContentRange(response.headers['content-range']));
    }
    if (ifMatch !== undefined && (response.statusCode === 412 || (response.headers.etag !== undefined && response.headers.etag !== ifMatch))) {
      response.resume();
      throw new MediaChangedError();
    }
    if (response.statusCode !== 200 && response.statusCode !== 206) {
      response.resume();
      throw new MediaFetchError(`media server answered HTTP ${response.statusCode}`);
    }
    return checkedChunk(response, options.limits);
  }
}

/** Resolves a host and returns the address to connect to; refuses when any address is not allowed. */
async function checkedAddress(hostname: string, options: HttpsFetchOptions): Promise<ResolvedAddress> {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  let addresses: ResolvedAddress[];
  if (isIP(bare)) {
    addresses = [{ address: bare, family: isIP(bare) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await options.resolve(bare);
    } catch (error) {
      throw new MediaRefusedError(NOT_PUBLIC_ADDRESS_REASON, { cause: error, detail: `${bare} did not resolve (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    }
  }
  const first = addresses[0];
  if (!first) throw new MediaRefusedError(NOT_PUBLIC_ADDRESS_REASON, { detail: `${bare} has no address` });
  const refused = addresses.find((a) => !options.policy.isAllowedAddress(a.address));
  if (refused) throw new MediaRefusedError(NOT_PUBLIC_ADDRESS_REASON, { detail: `${bare} resolves to ${refused.address}` });
  return first;
}

/** The redirect target, checked by the policy. */
function nextUrl(current: URL, location: string, policy: MediaPolicy): URL {
  let target: URL;
  try {
    target = new URL(location, current);
  } catch (error) {
    throw new MediaFetchError('media server redirected to an invalid URL', { cause: error });
  }
  const decision = policy.checkUrl(target.href);
  if (!decision.allowed) throw new MediaRefusedError(`media redirect refused: ${decision.reason}`);
  if (decision.kind !== 'https') throw new MediaRefusedError('media redirect refused: it must go to an https URL');
  return decision.url;
}

/** One GET to `url`, connected to exactly `address`; `headersSignal` bounds the wait for the answer, `signal` the whole read. */
function get(
  url: URL,
  address: ResolvedAddress,
  range: ByteRange | undefined,
  options: HttpsFetchOptions,
  signal: AbortSignal,
  headersSignal: AbortSignal,
  ifMatch: string | undefined,
): Promise<IncomingMessage> {
  const fixedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent: false,
      lookup: fixedLookup,
      signal,
      headers: {
        accept: options.limits.contentTypes.join(', '),
        'accept-encoding': 'identity',
        ...(range ? { range: rangeHeader(range) } : {}),
        ...(ifMatch !== undefined ? { 'if-match': ifMatch } : {}),
      },
      ...options.tls,
    });
    const onHeadersTimeout = () => req.destroy(new MediaFetchError('media fetch timed out'));
    headersSignal.addEventListener('abort', onHeadersTimeout, { once: true });
    req.once('response', () => headersSignal.removeEventListener('abort', onHeadersTimeout));
    req.once('socket', (socket) => {
      socket.once('connect', () => {
        const remote = (socket as TLSSocket).remoteAddress;
        if (!remote || remote !== address.address || !options.policy.isAllowedAddress(remote)) {
          req.destroy(new MediaRefusedError(NOT_PUBLIC_ADDRESS_REASON, { detail: `connected to ${remote}, not the checked ${address.address}` }));
        }
      });
    });
    req.once('response', resolve);
    req.once('error', (error) => reject(wrapError(error, headersSignal)));
    req.end();
  });
}

/** Checks a 200/206 answer's content type and total size; hands its body on. */
function checkedChunk(response: IncomingMessage, limits: MediaLimits): MediaChunk {
  const contentType = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!limits.contentTypes.includes(contentType)) {
    response.resume();
    throw new MediaRefusedError(`media content type "${contentType || 'none'}" is not an accepted audio type`);
  }
  const contentRange = response.statusCode === 206 ? response.headers['content-range'] : undefined;
  const declared = response.headers['content-length'] === undefined ? undefined : Number(response.headers['content-length']);
  const contentLength = Number.isFinite(declared) ? declared : undefined;
  const totalBytes = contentRange ? totalFromContentRange(contentRange) : contentLength;
  if (totalBytes !== undefined && totalBytes > limits.maxBytes) {
    response.resume();
    throw new MediaRefusedError(`media is larger than ${limits.maxBytes} bytes`);
  }
  const etag = response.headers.etag;
  // Only a strong ETag names one version's bytes (a weak one allows others of the same meaning).
  const version = etag !== undefined && /^"[^"]*"$/.test(etag) ? etag : undefined;
  return { status: response.statusCode === 206 ? 206 : 200, contentType, totalBytes, contentRange, contentLength, version, body: response };
}

function wrapError(error: unknown, signal: AbortSignal): Error {
  if (error instanceof MediaRefusedError || error instanceof MediaFetchError) return error;
  if (signal.aborted) return new MediaFetchError('media fetch timed out', { cause: error });
  // Node's network messages name addresses and ports (`connect ECONNREFUSED 203.0.113.9:443`): the code only.
  const code = (error as NodeJS.ErrnoException).code;
  return new MediaFetchError(`media fetch failed (${code ?? 'network error'})`, { cause: error, detail: (error as Error).message });
}
