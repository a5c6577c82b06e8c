/** Reads the WHIP URL an IVS participant token (a JWT) carries, without verifying it. */

/** The `whip_url` claim of the token, or undefined when the token is not a JWT with one. */
export function whipUrlOfToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { whip_url?: unknown };
    return typeof claims.whip_url === 'string' && /^https?:\/\//.test(claims.whip_url) ? claims.whip_url : undefined;
  } catch {
    return undefined;
  }
}
