/** The signed-in host: a bearer token kept for this tab, and who it names. */

const STORAGE_KEY = 'shelcaster.token';

/** The readable claims of a JWT (no verification: the API verifies it). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part || token.split('.').length !== 3) throw new Error('This is not a JWT (three dot-separated parts).');
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** Who a token names and when it expires; throws when it is not a usable JWT. */
export function describeToken(token: string, nowMs = Date.now()): { userId: string; expiresAt: Date } {
  const claims = jwtPayload(token.trim());
  if (typeof claims.sub !== 'string' || !claims.sub) throw new Error('The token has no subject (sub).');
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
  if (exp <= nowMs) throw new Error('The token has expired.');
  return { userId: claims.sub, expiresAt: new Date(exp) };
}

export class Auth {
  private token: string | undefined;

  constructor(private readonly storage: Storage = sessionStorage) {
    const kept = storage.getItem(STORAGE_KEY) ?? undefined;
    try {
      if (kept) {
        describeToken(kept);
        this.token = kept;
      }
    } catch {
      storage.removeItem(STORAGE_KEY);
    }
  }

  /** The current token, if any. */
  get current(): string | undefined {
    return this.token;
  }

  /** Uses a token (checked to be a JWT with a subject that has not expired); answers the user id. */
  use(token: string): string {
    const { userId } = describeToken(token);
    this.token = token.trim();
    this.storage.setItem(STORAGE_KEY, this.token);
    return userId;
  }

  /** Gets a token from the local cloud's sign-in URL for a user id. */
  async signInLocally(url: string, userId: string): Promise<string> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
    if (!response.ok || !body.token) throw new Error(`Local sign-in failed: ${body.message ?? `HTTP ${response.status}`}`);
    return this.use(body.token);
  }

  signOut(): void {
    this.token = undefined;
    this.storage.removeItem(STORAGE_KEY);
  }
}
