/** The show's recording after it ended: GET /sessions/{id}/recording redirects to the episode once it is ready. */
import { ApiError, describeApiFailure, retryAfterSecondsOf, type ApiClient } from '#contract/api-client';

/** How long to keep asking while the recording is being prepared. */
export const RECORDING_WAIT_MS = 180_000;

/**
 * The episode's address: follows the API's redirect (the bearer token is not sent on to the storage) and
 * stops reading once the answer's headers arrive. Retries while the API answers 409 RECORDING_NOT_READY.
 */
export async function recordingUrl(api: ApiClient, sessionId: string, onWaiting: (seconds: number) => void): Promise<string> {
  const deadline = Date.now() + RECORDING_WAIT_MS;
  for (;;) {
    const abort = new AbortController();
    const response = await fetch(api.url('getRecording', { sessionId }), {
      headers: { authorization: `Bearer ${api.token ?? ''}` },
      signal: abort.signal,
    });
    if (response.ok) {
      abort.abort();
      return response.url;
    }
    const body: unknown = await response.json().catch(() => undefined);
    const { code, message } = describeApiFailure(response.status, body);
    const retryAfter = retryAfterSecondsOf(response.headers) ?? 5;
    if (code !== 'RECORDING_NOT_READY' || Date.now() + retryAfter * 1000 > deadline) throw new ApiError(response.status, code, message);
    onWaiting(retryAfter);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
  }
}
