/**
 * Which media addresses a PLAY_MEDIA command may name. Pure functions, shared by the API (which refuses what
 * it can see in the URL) and the controller (which checks again on every address it connects to, after DNS
 * resolution and at every redirect).
 *
 * Accepted: `s3://<media bucket>/media/<key>`, or `https://<public DNS name or canonical public IP>[:443]/...`.
 * Refused: other schemes, user-info (`https://a@b`), ports other than 443, loopback, private, link-local (the
 * instance and task metadata addresses 169.254.169.254 and 169.254.170.2), CGNAT, multicast, reserved and
 * documentation ranges, every numeric form of an IPv4 address other than dotted decimal (`2130706433`,
 * `0x7f.1`, `0177.0.0.1`, `127.1`, a trailing dot), IPv6 addresses outside global unicast (loopback, unique-local,
 * link-local, IPv4-mapped and -compatible, 6to4, Teredo, NAT64, documentation), and local-only names
 * (`localhost`, `*.local`, `*.internal`, single-label names).
 */
import { MAX_PROGRAM_URL_LENGTH } from './commands.ts';
import { MEDIA_KEY_PREFIX } from './names.ts';

export type MediaUrlDecision =
  | { allowed: true; kind: 's3'; bucket: string; key: string }
  | { allowed: true; kind: 'https'; url: URL }
  | { allowed: false; reason: string };

export interface MediaUrlPolicyOptions {
  /** The project's media bucket: the only bucket an `s3://` URL may name. */
  mediaBucket: string;
}

const refuse = (reason: string): MediaUrlDecision => ({ allowed: false, reason });

/**
 * The whole reason given to the host when a media host's resolved or connected address is refused, or its
 * name does not resolve: never the addresses, nor whether the name resolved at all (that would let a host
 * probe the controller's DNS and network).
 */
export const NOT_PUBLIC_ADDRESS_REASON = 'media host is not a public address';

/** Decides whether a programUrl may be fetched, from its text alone (no DNS). */
export function checkMediaUrl(raw: string, options: MediaUrlPolicyOptions): MediaUrlDecision {
  if (raw.length === 0 || raw.length > MAX_PROGRAM_URL_LENGTH) return refuse('programUrl has an invalid length');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) return refuse('programUrl contains whitespace, control characters or backslashes');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 's3') return checkS3Url(raw, options.mediaBucket);
  if (scheme !== 'https') return refuse('programUrl must be an https URL or an object of the media bucket');
  return checkHttpsUrl(raw);
}

function checkS3Url(raw: string, mediaBucket: string): MediaUrlDecision {
  const match = /^s3:\/\/([^/?#@:]+)\/([^?#]+)$/i.exec(raw);
  if (!match) return refuse('an s3 programUrl must be s3://<bucket>/<key> without query or fragment');
  const [, bucket = '', key = ''] = match;
  if (bucket !== mediaBucket) return refuse('an s3 programUrl must name the media bucket');
  if (!key.startsWith(MEDIA_KEY_PREFIX)) return refuse(`an s3 programUrl must name a key under ${MEDIA_KEY_PREFIX}`);
  if (key.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return refuse('an s3 programUrl must not hold empty, . or .. segments');
  }
  return { allowed: true, kind: 's3', bucket, key };
}

function checkHttpsUrl(raw: string): MediaUrlDecision {
  const authority = /^https:\/\/([^/?#]*)/i.exec(raw)?.[1];
  if (authority === undefined || authority.length === 0) return refuse('programUrl has no host');
  if (authority.includes('@')) return refuse('programUrl must not carry user information');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('programUrl is not a valid URL');
  }
  if (url.username !== '' || url.password !== '') return refuse('programUrl must not carry user information');
  if (url.port !== '' && url.port !== '443') return refuse('programUrl must use the default https port');
  const rawHost = authority.replace(/:\d*$/, '').toLowerCase();
  const hostReason = refusalForHost(url.hostname, rawHost);
  return hostReason ? refuse(hostReason) : { allowed: true, kind: 'https', url };
}

/** Why a URL host (as parsed, and as written) is refused; undefined when it is a public name or address. */
function refusalForHost(hostname: string, rawHost: string): string | undefined {
  if (hostname.startsWith('[')) {
    return isPublicIpv6(hostname.slice(1, -1)) ? undefined : 'programUrl names a non-public IPv6 address';
  }
  if (isIpv4Literal(hostname)) {
    if (rawHost !== hostname) return 'programUrl writes an IPv4 address in a non-canonical form';
    return isPublicIpv4(hostname) ? undefined : 'programUrl names a non-public IPv4 address';
  }
  if (!hostname.includes('.') || hostname.endsWith('.')) return 'programUrl must name a fully qualified public host';
  if (/(^|\.)(localhost|local|localdomain|internal|home\.arpa|arpa|test|invalid|example)$/.test(hostname)) {
    return 'programUrl names a local-only host';
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(hostname)) return 'programUrl host is not a valid DNS name';
  // A name whose last label is numeric is an address the URL parser did not take as one: refuse it.
  if (/\.(\d+|0x[0-9a-f]*)$/.test(hostname)) return 'programUrl writes an address in a non-canonical form';
  return undefined;
}

const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether the text is a canonical dotted-decimal IPv4 address. */
export function isIpv4Literal(text: string): boolean {
  return IPV4_PATTERN.test(text);
}

/** IPv4 ranges no media fetch may reach: [network, prefix length]. */
const NON_PUBLIC_IPV4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Whether a canonical dotted-decimal IPv4 address is public (outside every non-public range). */
export function isPublicIpv4(address: string): boolean {
  if (!isIpv4Literal(address)) return false;
  const value = ipv4ToNumber(address);
  return NON_PUBLIC_IPV4.every(([network, bits]) => {
    const size = 2 ** (32 - bits);
    const start = ipv4ToNumber(network);
    return value < start || value >= start + size;
  });
}

/** Expands an IPv6 address (no brackets, no zone) into its eight 16-bit groups; undefined when malformed. */
export function parseIpv6(address: string): number[] | undefined {
  if (address.includes('%')) return undefined;
  let text = address.toLowerCase();
  // A trailing dotted IPv4 part (::ffff:127.0.0.1) becomes two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [, head = '', quad = ''] = v4;
    if (!isIpv4Literal(quad)) return undefined;
    const n = ipv4ToNumber(quad);
    text = `${head}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] | undefined => {
    if (!part) return [];
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Whether an IPv6 address is global unicast (2000::/3) outside documentation, 6to4 and Teredo. */
export function isPublicIpv6(address: string): boolean {
  const groups = parseIpv6(address);
  if (!groups) return false;
  const [first = 0, second = 0] = groups;
  if ((first & 0xe000) !== 0x2000) return false; // loopback, ::/96, ::ffff:0:0/96, fc00::/7, fe80::/10, ff00::/8, 64:ff9b::/96 ...
  if (first === 0x2001 && second === 0x0db8) return false; // documentation
  if (first === 0x2001 && second === 0x0000) return false; // Teredo (embeds an IPv4 address)
  if (first === 0x2002) return false; // 6to4 (embeds an IPv4 address)
  return true;
}

/** Whether a resolved address (as DNS lookups return it, IPv4 or IPv6) is public. */
export function isPublicAddress(address: string): boolean {
  return address.includes(':') ? isPublicIpv6(address) : isPublicIpv4(address);
}
