/**
 * `POST /_local/token {"userId": "..."}` → `{"token": "..."}`: the console's one-click local sign-in. The
 * local cloud is its own JWT issuer, so it can hand out tokens as `npm run token` does.
 *
 * LIMITATIONS: local only. This path does not exist on AWS: there the console asks for a token of the
 * deployment's JWT issuer. It answers same-origin requests only (no CORS, and a request whose `Origin` is
 * another site is refused), so a web page elsewhere cannot sign in as anyone through the browser.
 */
import type { IncomingMessage } from 'node:http';

/** The path of the local sign-in. */
export const LOCAL_TOKEN_PATH = '/_local/token';

/** Largest body accepted. */
const MAX_BODY_BYTES = 1024;

/** User ids accepted: what a JWT `sub` of a person looks like here (no spaces or control characters). */
const USER_ID_PATTERN = /^[A-Za-z0-9._@+-]{1,64}$/;

export interface LocalTokenAnswer {
  statusCode: number;
  body: Record<string, string>;
}

/** Why a local token request is refused. */
export class LocalTokenRequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'LocalTokenRequestError';
  }
}

async function readSmallBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new LocalTokenRequestError(413, 'The request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether an Origin is this API's own (by 127.0.0.1, localhost or [::1] on the same port). */
export function isSameLocalOrigin(origin: string, issuer: string): boolean {
  try {
    const from = new URL(origin);
    const own = new URL(issuer);
    return from.protocol === own.protocol && from.port === own.port && ['127.0.0.1', 'localhost', '[::1]'].includes(from.hostname);
  } catch {
    return false;
  }
}

/** The user id of a local sign-in request, checked (method, origin, content type, body). */
export async function localTokenUserId(req: IncomingMessage, issuer: string): Promise<string> {
  if (req.method !== 'POST') throw new LocalTokenRequestError(405, 'Use POST.');
  const origin = req.headers.origin;
  if (origin !== undefined && !isSameLocalOrigin(origin, issuer)) throw new LocalTokenRequestError(403, 'Local sign-in answers the console on this origin only.');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') throw new LocalTokenRequestError(415, 'The request body must be application/json.');
  let body: unknown;
  try {
    body = JSON.parse(await readSmallBody(req));
  } catch (error) {
    if (error instanceof LocalTokenRequestError) throw error;
    throw new LocalTokenRequestError(400, 'The request body is not valid JSON.');
  }
  const userId = (body as { userId?: unknown } | null)?.userId;
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) {
    throw new LocalTokenRequestError(400, 'userId must be 1 to 64 letters, digits or . _ @ + -');
  }
  return userId;
}

/** Answers a local sign-in request: 200 `{token}` or the refusal as `{code, message}`. */
export async function answerLocalTokenRequest(
  req: IncomingMessage,
  issuer: string,
  issueToken: (userId: string) => Promise<string>,
): Promise<LocalTokenAnswer> {
  try {
    const userId = await localTokenUserId(req, issuer);
    return { statusCode: 200, body: { token: await issueToken(userId) } };
  } catch (error) {
    if (!(error instanceof LocalTokenRequestError)) throw error;
    req.resume();
    return { statusCode: error.statusCode, body: { code: 'BAD_REQUEST', message: error.message } };
  }
}
