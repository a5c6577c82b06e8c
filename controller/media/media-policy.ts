/**
 * The decisions the media fetcher asks of the shared URL policy (contract/media-url-policy.ts),
 * behind an interface so tests can pass a permissive one for loopback servers.
 */
import { lookup } from 'node:dns/promises';
import { checkMediaUrl, isPublicAddress, type MediaUrlDecision } from '#contract/media-url-policy';

export interface MediaPolicy {
  /** Decides on a URL from its text (programUrl, and every redirect target). */
  checkUrl(raw: string): MediaUrlDecision;
  /** Whether the fetcher may connect to a resolved address. */
  isAllowedAddress(address: string): boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The production policy: the shared URL policy for the media bucket, public addresses only. */
export function sharedMediaPolicy(mediaBucket: string): MediaPolicy {
  return {
    checkUrl: (raw) => checkMediaUrl(raw, { mediaBucket }),
    isAllowedAddress: isPublicAddress,
  };
}

/** The system resolver (dns.lookup, all addresses). */
export const systemResolver: Resolver = async (hostname) => {
  const results = await lookup(hostname, { all: true, verbatim: true });
  return results.map((r) => ({ address: r.address, family: r.family === 6 ? 6 : 4 }));
};
