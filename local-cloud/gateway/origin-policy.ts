/**
 * Which web origins may call the local cloud: the API's own (the console is served from it), and those the
 * operator adds with SHELCASTER_ALLOWED_ORIGINS (read by `npm start`, local-cloud/main.ts, through
 * `allowedOriginsFromEnvironment`). A request without an `Origin` header is not a cross-origin browser
 * request (CLIs, SDKs, the console's own navigations) and passes; one whose `Origin` is anything else,
 * `null` included, is refused before routing, and no CORS answer ever names an origin not in this list.
 */

/** The one setting that adds allowed origins: a comma-separated list such as `http://127.0.0.1:5173`. */
export const ALLOWED_ORIGINS_VARIABLE = 'SHELCASTER_ALLOWED_ORIGINS';

/** An origin in its serialized form (`http://127.0.0.1:3000`), or undefined when `text` is not an http(s) origin. */
export function normalizeOrigin(text: string): string | undefined {
  try {
    const url = new URL(text.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.pathname !== '/' || url.search || url.hash || url.username) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** The origins SHELCASTER_ALLOWED_ORIGINS adds; throws naming an entry that is not an origin. */
export function allowedOriginsFromEnvironment(env: Record<string, string | undefined>): string[] {
  const origins: string[] = [];
  for (const entry of (env[ALLOWED_ORIGINS_VARIABLE] ?? '').split(',')) {
    if (!entry.trim()) continue;
    const origin = normalizeOrigin(entry);
    if (!origin) throw new Error(`${ALLOWED_ORIGINS_VARIABLE}: "${entry.trim()}" is not an origin (scheme://host[:port], e.g. http://127.0.0.1:5173)`);
    origins.push(origin);
  }
  return origins;
}

/** The set of allowed origins, shared by the AWS endpoint and the API. */
export class OriginPolicy {
  private readonly origins = new Set<string>();

  constructor(origins: Iterable<string> = []) {
    for (const origin of origins) this.allow(origin);
  }

  /** Allows one origin; throws when it is not an origin. */
  allow(origin: string): void {
    const normalized = normalizeOrigin(origin);
    if (!normalized) throw new Error(`"${origin}" is not an origin`);
    this.origins.add(normalized);
  }

  /** Allows a local server's origin under both loopback names (`127.0.0.1` and `localhost`, same port). */
  allowServer(url: string): void {
    const parsed = new URL(url);
    this.allow(parsed.origin);
    for (const name of ['127.0.0.1', 'localhost']) {
      parsed.hostname = name;
      this.allow(parsed.origin);
    }
  }

  /** Whether a request with this `Origin` header may be served (no header: yes). */
  allows(origin: string | undefined): boolean {
    return origin === undefined || this.origins.has(origin);
  }

  /** The `access-control-allow-origin` value for this `Origin`: itself when allowed, else none. */
  corsOrigin(origin: string | undefined): string | undefined {
    return origin !== undefined && this.origins.has(origin) ? origin : undefined;
  }

  list(): string[] {
    return [...this.origins];
  }
}
