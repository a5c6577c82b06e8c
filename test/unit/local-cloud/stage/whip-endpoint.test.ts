import { afterEach, describe, expect, it } from 'vitest';
import { startStageServer, type StageServer } from '#local-cloud/stage/stage-server';
import type { StageParticipantClaims } from '#local-cloud/stage/participant-claims';
import type { PublicationCallbacks } from '#local-cloud/stage/whip-publication';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:000000000000:stage/AbCdEf123456';

/** A browser-like offer: Opus audio and H264 video, sendonly, with ICE credentials and a fingerprint. */
const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=fingerprint:sha-256 AA:BB:CC',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=mid:0',
  'a=sendonly',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 102',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=sendonly',
  'a=rtpmap:102 H264/90000',
  '',
].join('\r\n');

const ANSWER = 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n';

function claims(overrides: Partial<StageParticipantClaims> = {}): StageParticipantClaims {
  return {
    topic: 'AbCdEf123456',
    resource: STAGE_ARN,
    jti: 'participant-1',
    capabilities: { allow_publish: true, allow_subscribe: true },
    user_id: 'host',
    attributes: {},
    exp: 2_000_000_000,
    ...overrides,
  };
}

/** Tokens are looked up in a table: an unknown one is refused, as a bad signature would be. */
const TOKENS: Record<string, StageParticipantClaims> = {
  'good-token': claims(),
  'other-token': claims({ jti: 'participant-2' }),
  'subscribe-only-token': claims({ jti: 'viewer', capabilities: { allow_publish: false, allow_subscribe: true } }),
};

interface FakePeer {
  offers: string[];
  closed: boolean;
  callbacks: PublicationCallbacks;
}

describe('The WHIP endpoint', () => {
  let stage: StageServer | undefined;
  const peers: FakePeer[] = [];

  afterEach(async () => {
    await stage?.close();
    stage = undefined;
    peers.length = 0;
  });

  async function start(): Promise<StageServer> {
    stage = await startStageServer({
      verify: async (token) => {
        const found = TOKENS[token];
        if (!found) throw new Error('bad signature');
        return found;
      },
      createPublication: (_id, callbacks) => {
        const peer: FakePeer = { offers: [], closed: false, callbacks };
        peers.push(peer);
        return {
          answer: async (offer: string) => {
            peer.offers.push(offer);
            return ANSWER;
          },
          close: async () => {
            peer.closed = true;
          },
        };
      },
    });
    return stage;
  }

  function post(server: StageServer, init: { token?: string; body?: string; contentType?: string; origin?: string }) {
    const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/sdp' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.origin) headers.origin = init.origin;
    return fetch(`${server.baseUrl}/whip`, { method: 'POST', headers, body: init.body ?? OFFER });
  }

  it('answers an offer with 201, the answer SDP, a Location under the stage and an ETag', async () => {
    const server = await start();
    const response = await post(server, { token: 'good-token' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/sdp');
    expect(await response.text()).toBe(ANSWER);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${server.baseUrl}/whip/[0-9a-f-]{36}$`));
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(peers[0]!.offers).toEqual([OFFER]);
    expect(server.endpoint.participants.listParticipants(STAGE_ARN)).toMatchObject([
      { participantId: 'participant-1', userId: 'host', state: 'connecting' },
    ]);
  });

  it('refuses a request without a bearer token with 401 and WWW-Authenticate', async () => {
    const server = await start();
    const response = await post(server, {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(peers).toHaveLength(0);
  });

  it('refuses a token the verifier rejects with 401, without echoing the token', async () => {
    const server = await start();
    const response = await post(server, { token: 'forged-token' });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('forged-token');
  });

  it('refuses a token without the publish capability with 403', async () => {
    const server = await start();
    expect((await post(server, { token: 'subscribe-only-token' })).status).toBe(403);
    expect(peers).toHaveLength(0);
  });

  it('refuses a body that is not an SDP offer with 400 and one of another type with 415', async () => {
    const server = await start();
    expect((await post(server, { token: 'good-token', body: 'hello' })).status).toBe(400);
    expect((await post(server, { token: 'good-token', body: OFFER.replace('opus/48000/2', 'PCMU/8000') })).status).toBe(400);
    expect((await post(server, { token: 'good-token', body: OFFER.replace(/a=sendonly/g, 'a=recvonly') })).status).toBe(400);
    expect((await post(server, { token: 'good-token', contentType: 'text/plain' })).status).toBe(415);
    expect(peers).toHaveLength(0);
  });

  it('ends the publication on DELETE of its Location by the same participant, and 404 after', async () => {
    const server = await start();
    const location = (await post(server, { token: 'good-token' })).headers.get('location')!;
    const left: string[] = [];
    server.endpoint.participants.on('participantLeft', (p) => left.push(`${p.participantId}:${p.leaveReason}`));

    const foreign = await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer other-token' } });
    expect(foreign.status).toBe(403);
    const own = await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer good-token' } });
    expect(own.status).toBe(200);
    expect(peers[0]!.closed).toBe(true);
    expect(left).toEqual(['participant-1:DELETED']);
    expect(server.endpoint.participants.listParticipants(STAGE_ARN)).toEqual([]);
    expect((await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer good-token' } })).status).toBe(404);
  });

  it('replaces an earlier publication of the same participant', async () => {
    const server = await start();
    await post(server, { token: 'good-token' });
    await post(server, { token: 'good-token' });
    expect(peers.map((p) => p.closed)).toEqual([true, false]);
    expect(server.endpoint.participants.listParticipants(STAGE_ARN)).toHaveLength(1);
  });

  it('tracks the connection state and lets a failed connection leave', async () => {
    const server = await start();
    await post(server, { token: 'good-token' });
    peers[0]!.callbacks.onStateChange('connected');
    expect(server.endpoint.participants.listParticipants(STAGE_ARN)[0]!.state).toBe('connected');
    peers[0]!.callbacks.onStateChange('failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(server.endpoint.participants.listParticipants(STAGE_ARN)).toEqual([]);
    expect(peers[0]!.closed).toBe(true);
  });

  it('answers a CORS preflight from a loopback origin and not from others', async () => {
    const server = await start();
    const preflight = (origin: string) =>
      fetch(`${server.baseUrl}/whip`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const allowed = await preflight('http://127.0.0.1:3000');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('location');
    expect(allowed.headers.get('accept-post')).toBe('application/sdp');
    const foreign = await preflight('https://example.com');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const answered = await post(server, { token: 'good-token', origin: 'http://127.0.0.1:3000' });
    expect(answered.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
  });

  it('refuses trickle ICE (PATCH) with 405 and leaves other paths to the gateway', async () => {
    const server = await start();
    const location = (await post(server, { token: 'good-token' })).headers.get('location')!;
    const patch = await fetch(location, { method: 'PATCH', headers: { authorization: 'Bearer good-token', 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' });
    expect(patch.status).toBe(405);
    expect((await fetch(`${server.baseUrl}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/whip`)).status).toBe(405);
  });
});
