/**
 * Reads the claims of a participant token (a JWT). No verification: the stage verifies it.
 * @param {string} token
 * @returns {Record<string, unknown>}
 */
export function jwtClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) throw new Error('The participant token is not a JWT');
  const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const json = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
  return JSON.parse(json);
}
