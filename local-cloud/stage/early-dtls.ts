/**
 * DTLS datagrams that reach a werift peer connection before its DTLS transport has started, handed to that
 * transport once it has.
 *
 * werift starts DTLS (`RTCDtlsTransport.start`) only once its own ICE checks have succeeded, and drops the
 * DTLS datagrams that arrive before: its ICE-to-DTLS glue listens to the ICE connection from then on. The
 * browser's checks succeed first (on loopback ~15 ms sooner, the browser being the controlling agent that
 * sent the first check), and as DTLS client (the stage answers `a=setup:passive`, loopback-peer.ts) it sends
 * its ClientHello at once: werift dropped it, and the handshake waited for Chromium to send it again (~50 ms
 * later, its retransmission timer). Nothing in werift's API keeps them; this reaches its public fields
 * (`iceTransport.connection.onData`, `dtls.transport.socket.onData`), pinned with werift 0.25.
 */
import type { Event } from 'werift';

/** At most this many datagrams are kept per transport (a ClientHello is one to three). */
export const MAX_EARLY_DATAGRAMS = 16;

type DtlsTransportState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** The parts of werift's RTCDtlsTransport this uses. */
export interface EarlyDtlsTransport {
  readonly iceTransport: { readonly connection: { readonly onData: Event<[Buffer]> } };
  readonly onStateChange: Event<[DtlsTransportState]>;
  /** Set by `start()`: werift's DTLS socket, which takes datagrams through its transport's `onData`. */
  readonly dtls?: { readonly transport: { readonly socket: { onData: (data: Buffer, ...rest: never[]) => void } } } | undefined;
}

/**
 * Keeps the DTLS datagrams (RFC 7983: first byte 20–63) that arrive before the transport's DTLS socket
 * exists, and gives them to it, in order, as soon as it does (the transport goes `connecting`). Stops
 * listening once they are handed over, or when the transport fails or closes first.
 */
export function keepEarlyDtlsDatagrams(transport: EarlyDtlsTransport): void {
  const early: Buffer[] = [];
  const data = transport.iceTransport.connection.onData.subscribe((datagram) => {
    if (transport.dtls === undefined && isDtls(datagram) && early.length < MAX_EARLY_DATAGRAMS) early.push(Buffer.from(datagram));
  });
  const state = transport.onStateChange.subscribe((next) => {
    if (next === 'connecting') {
      // start() sets `dtls` right after it announces `connecting`, in the same turn: hand them over just after.
      queueMicrotask(() => {
        const socket = transport.dtls?.transport.socket;
        if (!socket) return;
        stop();
        for (const datagram of early.splice(0)) socket.onData(datagram);
      });
    } else if (next !== 'new') {
      stop();
      early.length = 0;
    }
  });
  function stop(): void {
    data.unSubscribe();
    state.unSubscribe();
  }
}

function isDtls(datagram: Buffer): boolean {
  const first = datagram[0];
  return first !== undefined && first >= 20 && first <= 63;
}
