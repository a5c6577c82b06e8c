import { describe, expect, it } from 'vitest';
import { Event } from 'werift';
import { keepEarlyDtlsDatagrams, MAX_EARLY_DATAGRAMS, type EarlyDtlsTransport } from '#local-cloud/stage/early-dtls';

type State = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** A transport shaped as werift's RTCDtlsTransport: `start()` announces `connecting`, then creates its DTLS socket in the same turn. */
class FakeDtlsTransport implements EarlyDtlsTransport {
  readonly iceTransport = { connection: { onData: new Event<[Buffer]>() } };
  readonly onStateChange = new Event<[State]>();
  dtls?: { transport: { socket: { onData: (data: Buffer) => void } } };
  /** What the DTLS socket was given, from werift's own glue (`live`) and from keepEarlyDtlsDatagrams. */
  readonly delivered: string[] = [];

  arrive(datagram: Buffer): void {
    this.iceTransport.connection.onData.execute(datagram);
  }

  start(): void {
    this.onStateChange.execute('connecting');
    this.dtls = { transport: { socket: { onData: (data) => this.delivered.push(data.toString('hex')) } } };
    // werift's ICE-to-DTLS glue: from now on every DTLS datagram goes to the socket.
    this.iceTransport.connection.onData.subscribe((data) => this.dtls?.transport.socket.onData(data));
  }
}

const handshake = (n: number) => Buffer.from([22, 0xfe, 0xfd, n]);
const stun = Buffer.from([0x00, 0x01, 0x00, 0x00]);
const rtp = Buffer.from([0x80, 0x60, 0x00, 0x01]);
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('keepEarlyDtlsDatagrams', () => {
  it('hands the DTLS datagrams that came before the DTLS socket to it, in order, as soon as it exists, and nothing twice', async () => {
    const transport = new FakeDtlsTransport();
    keepEarlyDtlsDatagrams(transport);
    transport.arrive(stun);
    transport.arrive(handshake(1));
    transport.arrive(rtp);
    transport.arrive(handshake(2));
    expect(transport.delivered).toEqual([]);

    transport.start();
    await turn();
    expect(transport.delivered).toEqual([handshake(1).toString('hex'), handshake(2).toString('hex')]);

    // Later datagrams reach the socket through werift alone, once each.
    transport.arrive(handshake(3));
    transport.onStateChange.execute('connected');
    expect(transport.delivered).toEqual([1, 2, 3].map((n) => handshake(n).toString('hex')));
  });

  it('keeps at most MAX_EARLY_DATAGRAMS', async () => {
    const transport = new FakeDtlsTransport();
    keepEarlyDtlsDatagrams(transport);
    for (let n = 0; n < MAX_EARLY_DATAGRAMS + 5; n++) transport.arrive(handshake(n));
    transport.start();
    await turn();
    expect(transport.delivered).toHaveLength(MAX_EARLY_DATAGRAMS);
    expect(transport.delivered[0]).toBe(handshake(0).toString('hex'));
  });

  it('drops what it kept when the transport fails or closes before DTLS starts', async () => {
    const transport = new FakeDtlsTransport();
    keepEarlyDtlsDatagrams(transport);
    transport.arrive(handshake(1));
    transport.onStateChange.execute('closed');
    transport.arrive(handshake(2));
    transport.start();
    await turn();
    expect(transport.delivered).toEqual([]);
  });
});
