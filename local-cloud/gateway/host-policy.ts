/**
 * The Host check against DNS rebinding: a page on an attacker's name that resolves to 127.0.0.1 reaches the
 * local cloud with that name in its `Host` header, so the AWS endpoint and the API answer only requests whose
 * `Host` is a loopback name or address: `localhost` and its subdomains (`<bucket>.localhost`, which browsers
 * resolve to loopback themselves), 127.0.0.0/8, `[::1]`; any port.
 */
import { isIPv4 } from 'node:net';

/** Whether a `Host` header value names this machine's loopback interface. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return false;
    const port = name.slice(end + 1);
    if (port !== '' && !/^:\d{1,5}$/.test(port)) return false;
    const address = name.slice(1, end);
    return address === '::1' || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
  }
  const colon = name.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return false;
    name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost' || name.endsWith('.localhost')) return /^[a-z0-9.-]+$/.test(name);
  return isIPv4(name) && name.startsWith('127.');
}
