/** Removes anything shaped like a token (JWTs, task tokens, long opaque strings) from a text meant for logs. */

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** Step Functions task tokens and other opaque secrets: long runs of base64/base64url characters. */
const LONG_OPAQUE = /[A-Za-z0-9+/_=-]{80,}/g;

/** Returns the text with token-like substrings replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  return text.replace(JWT, '[redacted]').replace(LONG_OPAQUE, '[redacted]');
}
