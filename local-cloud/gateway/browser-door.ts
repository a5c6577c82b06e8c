/**
 * The first check of the AWS endpoint and the API, before any routing: the `Host` must be loopback
 * (host-policy.ts) and the `Origin`, when there is one, allowed (origin-policy.ts). Routes that answer pages
 * of any origin because they admit nothing but a valid token (the IVS stage's events WebSocket and WHIP
 * routes, as on IVS) skip the Origin check; the Host check holds for them too.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from './host-policy.ts';
import { ALLOWED_ORIGINS_VARIABLE, type OriginPolicy } from './origin-policy.ts';

/** Why a request was refused at the door. */
export interface DoorRefusal {
  reason: 'host' | 'origin';
  /** A human message naming the refused value and what to do. */
  message: string;
}

/** Answers a refusal when the request may not come in, undefined when it may. */
export function checkBrowserDoor(headers: IncomingHttpHeaders, policy: OriginPolicy, options: { anyOrigin?: boolean } = {}): DoorRefusal | undefined {
  const host = headers.host;
  if (!isLoopbackHost(host)) {
    return { reason: 'host', message: `The local cloud answers only requests addressed to a loopback name or address (localhost, 127.0.0.1, [::1]), not "${String(host ?? '')}".` };
  }
  const origin = headers.origin;
  if (!options.anyOrigin && !policy.allows(origin)) {
    return { reason: 'origin', message: `Requests from the web origin "${origin}" are not allowed; add it to ${ALLOWED_ORIGINS_VARIABLE} to allow it.` };
  }
  return undefined;
}
