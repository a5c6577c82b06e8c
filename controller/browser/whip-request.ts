/**
 * The HTTP side of WHIP, done in Node for the page: POST the offer or DELETE the resource with the
 * participant token as bearer, following redirects (IVS's global endpoint answers 307) and sending the
 * Authorization header again to the new location.
 */

export const MAX_WHIP_REDIRECTS = 5;
const WHIP_TIMEOUT_MS = 15_000;

export interface WhipRequest {
  method: 'POST' | 'DELETE';
  url: string;
  token: string;
  body?: string;
}

export interface WhipResponse {
  status: number;
  location: string | null;
  body: string;
  /** The URL that answered (after redirects), to resolve a relative Location. */
  url: string;
}

/** Sends one WHIP request and returns the final answer. */
export async function whipRequest(request: WhipRequest, fetchImpl: typeof fetch = fetch): Promise<WhipResponse> {
  let url = new URL(request.url);
  for (let hop = 0; hop <= MAX_WHIP_REDIRECTS; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`WHIP URL has scheme ${url.protocol}`);
    const headers: Record<string, string> = { authorization: `Bearer ${request.token}` };
    if (request.body !== undefined) headers['content-type'] = 'application/sdp';
    const response = await fetchImpl(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WHIP_TIMEOUT_MS),
    });
    const location = response.headers.get('location');
    if ([301, 302, 303, 307, 308].includes(response.status) && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    return { status: response.status, location, body: await response.text(), url: url.href };
  }
  throw new Error(`WHIP endpoint redirected more than ${MAX_WHIP_REDIRECTS} times`);
}
