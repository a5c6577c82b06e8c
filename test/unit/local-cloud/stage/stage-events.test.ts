import { afterEach, describe, expect, it } from 'vitest';
import { startStageServer, type StageServer } from '#local-cloud/stage/stage-server';
import type { StageParticipantClaims } from '#local-cloud/stage/participant-claims';
import { claims, fakePeers, offer, OTHER_STAGE_ARN, STAGE_ARN, STAGE_ID, tableVerifier } from '#test/fixtures/stage/fake-stage';

const TOKENS: Record<string, StageParticipantClaims> = {
  'host-token': claims({ jti: 'host', user_id: 'host-user', attributes: { displayName: 'The host' } }),
  'caller-token': claims({ jti: 'caller', user_id: 'caller-user' }),
  'encoder-token': claims({ jti: 'encoder' }),
  'elsewhere-token': claims({ jti: 'elsewhere', topic: 'ZyXwVu987654', resource: OTHER_STAGE_ARN }),
  'two-stages-token': claims({ jti: 'confused', topic: 'ZyXwVu987654' }),
};

interface Message {
  type: string;
  payload?: Record<string, unknown> & { sequenceNumber?: number; participants?: Record<string, unknown>[] };
}

/** A client of the events socket that keeps every message it received. */
class EventsClient {
  readonly messages: Message[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, token?: string) {
    this.socket = token ? new WebSocket(url, token) : new WebSocket(url);
    this.socket.addEventListener('message', (event) => this.messages.push(JSON.parse(String(event.data)) as Message));
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve());
      this.socket.addEventListener('error', () => reject(new Error('the socket failed')));
    });
    this.closed = new Promise((resolve) => this.socket.addEventListener('close', (event) => resolve(event.code)));
  }

  /** Waits for the n-th message of a type (1-based) and returns it. */
  async nth(type: string, n = 1, timeoutMs = 3000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter((m) => m.type === type)[n - 1];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${type} #${n}; got ${JSON.stringify(this.messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  snapshots(): NonNullable<Message['payload']>[] {
    return this.messages.filter((m) => m.type === 'aws:ivs:STAGE_STATE').map((m) => m.payload!);
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }
}

describe('The local stage: the events WebSocket', () => {
  let stage: StageServer | undefined;
  const clients: EventsClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.close();
    await stage?.close();
    stage = undefined;
  });

  async function start(): Promise<StageServer> {
    const peers = fakePeers();
    stage = await startStageServer({
      verify: tableVerifier(TOKENS, { 'expired-token': 'EXPIRED', 'deleted-stage-token': 'STAGE_NOT_FOUND', 'kicked-token': 'PARTICIPANT_DISCONNECTED' }),
      createPublication: peers.createPublication,
      createSubscription: peers.createSubscription,
    });
    return stage;
  }

  function connect(token?: string, topic = `${STAGE_ID}/publishers`): EventsClient {
    const url = `${stage!.baseUrl.replace(/^http/, 'ws')}/events?error_over_ws=1&topic=${encodeURIComponent(topic)}&traceid=1-abc-def`;
    const client = new EventsClient(url, token);
    clients.push(client);
    return client;
  }

  it('echoes the token as the subprotocol and sends a snapshot of the stage at once', async () => {
    await start();
    const host = connect('host-token');
    await host.opened;
    expect(host.socket.protocol).toBe('host-token');
    const first = await host.nth('aws:ivs:STAGE_STATE');
    expect(first.payload).toEqual({
      sequenceNumber: 1,
      participants: [{ id: 'host', userId: 'host-user', attributes: { displayName: 'The host' }, isPublishing: false, audioMuted: false, videoStopped: false }],
      disconnected: [],
      serverFeatures: [],
    });
  });

  it('answers PING with PONG, and SET_STATE with a new snapshot', async () => {
    await start();
    const host = connect('host-token');
    await host.nth('aws:ivs:STAGE_STATE');
    host.send({ type: 'PING' });
    await host.nth('PONG');
    host.send({ type: 'SET_STATE', version: '0', audioMuted: true, videoStopped: true });
    const second = await host.nth('aws:ivs:STAGE_STATE', 2);
    expect(second.payload).toMatchObject({ sequenceNumber: 2, participants: [{ id: 'host', audioMuted: true, videoStopped: true }] });
  });

  it('tells everyone on the stage who joins, publishes and leaves, with strictly increasing sequence numbers', async () => {
    const server = await start();
    const host = connect('host-token');
    await host.nth('aws:ivs:STAGE_STATE');
    const caller = connect('caller-token');
    await caller.nth('aws:ivs:STAGE_STATE');
    connect('elsewhere-token', 'ZyXwVu987654/publishers');
    await host.nth('aws:ivs:STAGE_STATE', 2);
    expect(host.snapshots().at(-1)!.participants!.map((p) => p.id)).toEqual(['caller', 'host']);

    // A plain WHIP encoder never opens the socket: it is listed, publishing once its media connects.
    const response = await fetch(`${server.baseUrl}/whip`, { method: 'POST', headers: { authorization: 'Bearer encoder-token', 'content-type': 'application/sdp' }, body: offer() });
    expect(response.status).toBe(201);
    const resourceId = response.headers.get('location')!.split('/').pop()!;
    server.endpoint.participants.setState(resourceId, 'connected');
    await expect.poll(() => caller.snapshots().at(-1)!.participants!.find((p) => p.id === 'encoder')).toMatchObject({ isPublishing: true, audioMuted: false, videoStopped: false });

    caller.socket.close();
    await caller.closed;
    await expect.poll(() => host.snapshots().at(-1)!.participants!.map((p) => p.id)).toEqual(['encoder', 'host']);
    const sequence = host.snapshots().map((s) => s.sequenceNumber!);
    expect(sequence).toEqual(sequence.map((_, i) => i + 1));
    // Nothing of the other stage reached this one.
    expect(JSON.stringify(host.messages)).not.toContain('elsewhere');
  });

  it.each([
    { what: 'no token', token: undefined, topic: undefined, code: 'TOKEN_MISSING' },
    { what: 'an expired token', token: 'expired-token', topic: undefined, code: 'TOKEN_EXPIRED' },
    { what: 'a forged token', token: 'forged-token', topic: undefined, code: 'TOKEN_INVALID_SIGNATURE' },
    { what: 'a token for another stage than the one asked for', token: 'host-token', topic: 'ZyXwVu987654/publishers', code: 'TOKEN_INVALID' },
    { what: 'a token naming two stages', token: 'two-stages-token', topic: 'ZyXwVu987654/publishers', code: 'TOKEN_INVALID' },
    { what: 'the token of a deleted stage', token: 'deleted-stage-token', topic: undefined, code: 'STAGE_DELETED' },
    { what: 'the token of a disconnected participant', token: 'kicked-token', topic: undefined, code: 'PARTICIPANT_DISCONNECTED' },
  ])('refuses $what with JOIN_ERROR $code and closes the socket', async ({ token, topic, code }) => {
    await start();
    const client = connect(token, topic);
    const refused = await client.nth('aws:ivs:JOIN_ERROR');
    expect(refused.payload).toMatchObject({ code, message: expect.any(String) });
    expect(JSON.stringify(refused)).not.toContain('-token');
    expect(await client.closed).toBe(1008);
    expect(client.snapshots()).toEqual([]);
  });

  it('disconnects the earlier connection of a token used again with TOKEN_REUSED; the later one stays', async () => {
    const server = await start();
    const first = connect('host-token');
    await first.nth('aws:ivs:STAGE_STATE');
    const second = connect('host-token');
    await second.nth('aws:ivs:STAGE_STATE');
    expect((await first.nth('aws:ivs:DISCONNECT')).payload).toMatchObject({ code: 'TOKEN_REUSED' });
    await first.closed;
    expect(second.messages.some((m) => m.type === 'aws:ivs:DISCONNECT')).toBe(false);
    expect(server.endpoint.events.connectedParticipants()).toEqual(['host']);
    expect(server.endpoint.participants.snapshot(STAGE_ARN).participants.map((p) => p.id)).toEqual(['host']);
  });

  it("disconnects everyone on a deleted stage with STAGE_DELETED and ends its publications, and nobody else's", async () => {
    const server = await start();
    const host = connect('host-token');
    const caller = connect('caller-token');
    const elsewhere = connect('elsewhere-token', 'ZyXwVu987654/publishers');
    await Promise.all([host.nth('aws:ivs:STAGE_STATE'), caller.nth('aws:ivs:STAGE_STATE'), elsewhere.nth('aws:ivs:STAGE_STATE')]);
    await fetch(`${server.baseUrl}/whip/publish/host`, { method: 'POST', headers: { authorization: 'Bearer host-token', 'content-type': 'application/sdp' }, body: offer() });

    await server.endpoint.stageDeleted(STAGE_ARN);
    for (const client of [host, caller]) expect((await client.nth('aws:ivs:DISCONNECT')).payload).toMatchObject({ code: 'STAGE_DELETED' });
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toEqual([]);
    expect(server.endpoint.events.connectedParticipants()).toEqual(['elsewhere']);
    expect(elsewhere.messages.some((m) => m.type === 'aws:ivs:DISCONNECT')).toBe(false);
  });

  it('disconnects a removed participant with PARTICIPANT_DISCONNECTED; the others see it KICKED', async () => {
    const server = await start();
    const host = connect('host-token');
    const caller = connect('caller-token');
    await Promise.all([host.nth('aws:ivs:STAGE_STATE'), caller.nth('aws:ivs:STAGE_STATE')]);
    await server.endpoint.participantDisconnected(STAGE_ARN, 'caller');
    expect((await caller.nth('aws:ivs:DISCONNECT')).payload).toMatchObject({ code: 'PARTICIPANT_DISCONNECTED' });
    await expect.poll(() => host.snapshots().at(-1)).toMatchObject({ participants: [{ id: 'host' }], disconnected: [{ id: 'caller', status: 'KICKED' }] });
  });
});
