import { afterEach, describe, expect, it, vi } from 'vitest';
import { RTCDtlsTransport } from 'werift';
import { startStageServer, type StageServer } from '#local-cloud/stage/stage-server';
import { MAX_PUBLISHERS_PER_STAGE } from '#local-cloud/stage/stage-media';
import type { StageParticipantClaims } from '#local-cloud/stage/participant-claims';
import { ANSWER, claims, fakePeers, offer, OTHER_STAGE_ARN, STAGE_ARN, tableVerifier } from '#test/fixtures/stage/fake-stage';

const TOKENS: Record<string, StageParticipantClaims> = {
  'host-token': claims({ jti: 'host' }),
  'caller-token': claims({ jti: 'caller', user_id: 'caller' }),
  'listener-token': claims({ jti: 'listener', capabilities: { allow_publish: false, allow_subscribe: true } }),
  'publisher-only-token': claims({ jti: 'controller', capabilities: { allow_publish: true, allow_subscribe: false } }),
  'elsewhere-token': claims({ jti: 'elsewhere', topic: 'ZyXwVu987654', resource: OTHER_STAGE_ARN }),
  'two-stages-token': claims({ jti: 'confused', topic: 'ZyXwVu987654' }),
};
for (let i = 0; i < MAX_PUBLISHERS_PER_STAGE + 1; i++) TOKENS[`guest-${i}`] = claims({ jti: `guest-${i}` });

type Body = { code: number; message: string };

describe('The local stage: publish, subscribe and plain WHIP', () => {
  let stage: StageServer | undefined;
  let peers: ReturnType<typeof fakePeers>;

  afterEach(async () => {
    await stage?.close();
    stage = undefined;
  });

  async function start(): Promise<StageServer> {
    peers = fakePeers();
    stage = await startStageServer({
      verify: tableVerifier(TOKENS, { 'expired-token': 'EXPIRED', 'disconnected-token': 'PARTICIPANT_DISCONNECTED' }),
      createPublication: peers.createPublication,
      createSubscription: peers.createSubscription,
    });
    return stage;
  }

  function post(path: string, init: { token?: string; body?: string; contentType?: string; origin?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/sdp' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.origin) headers.origin = init.origin;
    return fetch(`${stage!.baseUrl}${path}`, { method: 'POST', headers, body: init.body ?? offer() });
  }
  const publish = (token: string, id = TOKENS[token]!.jti, body = offer({ video: ['VP8', 'H264'], direction: 'sendrecv' })) => post(`/whip/publish/${id}`, { token, body });
  const error = async (response: Response) => ({ status: response.status, ...((await response.json()) as Body) });

  it("makes werift's DTLS certificate when it starts, so the first offer does not wait for it", async () => {
    const setUp = vi.spyOn(RTCDtlsTransport, 'SetupCertificate');
    try {
      await start();
      expect(setUp).toHaveBeenCalledTimes(1);
      expect(await setUp.mock.results[0]!.value).toBe(RTCDtlsTransport.localCertificate);
    } finally {
      setUp.mockRestore();
    }
  });

  it('answers a plain WHIP offer with 201, the answer, a Location under the stage and an ETag', async () => {
    const server = await start();
    const response = await post('/whip', { token: 'host-token' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/sdp');
    expect(await response.text()).toBe(ANSWER);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${server.baseUrl}/whip/[0-9a-f-]{36}$`));
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toMatchObject([{ participantId: 'host', userId: 'host', state: 'connecting', route: 'whip' }]);
  });

  it('refuses a plain WHIP offer without H.264 video, even to publish audio, as IVS does', async () => {
    await start();
    expect(await error(await post('/whip', { token: 'host-token', body: offer({ video: null }) }))).toMatchObject({ status: 400, code: 2014, message: expect.stringMatching(/H\.264/) });
    expect(await error(await post('/whip', { token: 'host-token', body: offer({ video: ['VP8'] }) }))).toMatchObject({ status: 400, code: 2014 });
    expect(peers.publications).toHaveLength(0);
  });

  it("publishes the SDK's offer (sendrecv video in VP8 and H264) under the token's own participant id only", async () => {
    const server = await start();
    const response = await publish('caller-token');
    expect(response.status).toBe(201);
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toMatchObject([{ participantId: 'caller', route: 'sdk' }]);
    expect(await error(await publish('host-token', 'caller'))).toMatchObject({ status: 403, code: 2003 });
  });

  it('refuses tokens with the WHIP codes the SDK reads, never echoing them', async () => {
    await start();
    const missing = await post('/whip/publish/host');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const forged = await post('/whip/publish/host', { token: 'forged-token' });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain('forged-token');
    expect(await error(await post('/whip/publish/x', { token: 'expired-token' }))).toMatchObject({ status: 401, code: 2002 });
    expect(await error(await post('/whip/publish/x', { token: 'disconnected-token' }))).toMatchObject({ status: 403, code: 2003 });
    expect(await error(await post('/whip/publish/confused', { token: 'two-stages-token' }))).toMatchObject({ status: 401, code: 2001, message: 'The participant token is for another stage' });
    expect(await error(await publish('listener-token'))).toMatchObject({ status: 403, code: 2003 });
    expect(peers.publications).toHaveLength(0);
  });

  it('refuses a body that is not an offer with 400 and one of another type with 415', async () => {
    await start();
    expect((await publish('host-token', 'host', 'hello')).status).toBe(400);
    expect(await error(await publish('host-token', 'host', offer({ audio: 'PCMU/8000' })))).toMatchObject({ status: 400, code: 2014 });
    expect((await publish('host-token', 'host', offer({ direction: 'recvonly' }))).status).toBe(400);
    expect((await post('/whip/publish/host', { token: 'host-token', contentType: 'text/plain' })).status).toBe(415);
    expect(peers.publications).toHaveLength(0);
  });

  it(`takes at most ${MAX_PUBLISHERS_PER_STAGE} publishers on a stage: the next is refused as the stage at capacity`, async () => {
    const server = await start();
    for (let i = 0; i < MAX_PUBLISHERS_PER_STAGE; i++) expect((await publish(`guest-${i}`)).status).toBe(201);
    expect(await error(await publish(`guest-${MAX_PUBLISHERS_PER_STAGE}`))).toMatchObject({ status: 403, code: 2005 });
    expect(await error(await post('/whip', { token: 'host-token' }))).toMatchObject({ status: 403, code: 2005 });
    // A publisher already on the stage may publish again (it replaces its publication), and another stage is not full.
    expect((await publish('guest-0')).status).toBe(201);
    expect((await post('/whip', { token: 'elsewhere-token' })).status).toBe(201);
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toHaveLength(MAX_PUBLISHERS_PER_STAGE);
  });

  it("subscribes to a publisher of the token's stage and forwards its media; the subscription ends with the publication", async () => {
    const server = await start();
    await publish('host-token');
    const publication = peers.publications[0]!;
    publication.callbacks.onStateChange('connected');

    const response = await post('/whip/subscribe/host', { token: 'caller-token', body: offer({ direction: 'recvonly', video: ['VP8', 'H264'] }) });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(new RegExp(`^${server.baseUrl}/whip/[0-9a-f-]{36}$`));
    const subscription = peers.subscriptions[0]!;
    expect(subscription.source).toBe(publication);
    expect(server.endpoint.media.subscriptionIds()).toHaveLength(1);

    publication.callbacks.onStateChange('failed');
    await expect.poll(() => subscription.closed).toBe(true);
    expect(server.endpoint.media.subscriptionIds()).toEqual([]);
  });

  it("links a subscription's playback controls and layers as IVS does; its subscriber pauses and plays what it is sent by mid", async () => {
    await start();
    await publish('host-token');
    peers.publications[0]!.callbacks.onStateChange('connected');
    const answered = await post('/whip/subscribe/host', { token: 'caller-token', body: offer({ direction: 'recvonly', video: ['VP8', 'H264'] }) });
    const location = answered.headers.get('location')!;
    // The form the web SDK parses: comma-separated `<url>; rel="..."`.
    const links = Object.fromEntries(answered.headers.get('link')!.split(',').map((part) => /<(.+)>;\s?rel="([a-z:-]+)"/.exec(part.trim())!).map((m) => [m[2], m[1]]));
    expect(links).toEqual({ 'urn:ietf:params:whep:core:playback-controls': `${location}/playback`, 'urn:ietf:params:whep:ext:core:layer': `${location}/layers` });
    const control = (url: string, token: string, body?: unknown, method = 'POST') =>
      fetch(url, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const playback = links['urn:ietf:params:whep:core:playback-controls']!;
    const subscription = peers.subscriptions[0]!;

    expect((await control(playback, 'caller-token', { pause: ['1'] })).status).toBe(204);
    expect([...subscription.paused]).toEqual(['1']);
    expect((await control(playback, 'caller-token', { play: ['1'] })).status).toBe(204);
    expect([...subscription.paused]).toEqual([]);

    // Another participant's token, a bad body, a mid the subscription lacks, an unknown subscription: refused, nothing changed.
    expect(await error(await control(playback, 'host-token', { pause: ['1'] }))).toMatchObject({ status: 403, code: 2003 });
    expect(await error(await control(playback, 'caller-token', { pause: '1' }))).toMatchObject({ status: 400, code: 2001 });
    expect(await error(await control(playback, 'caller-token', { pause: ['1'], play: ['1'] }))).toMatchObject({ status: 400 });
    expect(await error(await control(playback, 'caller-token', { stop: ['1'] }))).toMatchObject({ status: 400, message: expect.stringContaining('unknown field "stop"') });
    expect(await error(await control(playback, 'caller-token', '{not json'))).toMatchObject({ status: 400, message: 'The request body is not JSON' });
    expect(await error(await control(playback, 'caller-token', { pause: ['0', '7'] }))).toMatchObject({ status: 400, message: expect.stringContaining('"7"') });
    expect(await error(await control(playback, 'caller-token', { pause: ['0'], play: ['7'] }))).toMatchObject({ status: 400, message: expect.stringContaining('"7"') });
    expect(await error(await control(playback.replace(/[0-9a-f-]{36}/, '0f0e0d0c-0b0a-0908-0706-050403020100'), 'caller-token', { pause: ['1'] }))).toMatchObject({ status: 404, code: 2004 });
    expect((await control(playback, 'caller-token', undefined, 'GET')).status).toBe(405);
    expect((await fetch(playback, { method: 'POST', body: '{}' })).status).toBe(401);
    expect([...subscription.paused]).toEqual([]);

    // Layers: none to list or choose (no simulcast locally); back to the server's choice is accepted.
    const layers = links['urn:ietf:params:whep:ext:core:layer']!;
    const listed = await control(layers, 'caller-token', undefined, 'GET');
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ layers: [] });
    expect((await control(layers, 'caller-token', {})).status).toBe(204);
    expect(await error(await control(layers, 'caller-token', { mediaId: '1', encodingId: 'hi' }))).toMatchObject({ status: 400, message: expect.stringContaining('"hi"') });
    expect(await error(await control(layers, 'host-token', undefined, 'GET'))).toMatchObject({ status: 403 });

    // A publication's answer links neither.
    expect((await post('/whip', { token: 'guest-0' })).headers.get('link')).toBeNull();
  });

  it('refuses a subscription without the capability, to nobody, or to a publisher of another stage', async () => {
    await start();
    await publish('host-token');
    await post('/whip', { token: 'elsewhere-token' });
    const recvonly = offer({ direction: 'recvonly' });
    expect(await error(await post('/whip/subscribe/host', { token: 'publisher-only-token', body: recvonly }))).toMatchObject({ status: 403, code: 2003 });
    expect(await error(await post('/whip/subscribe/nobody', { token: 'caller-token', body: recvonly }))).toMatchObject({ status: 404, code: 2004 });
    expect(await error(await post('/whip/subscribe/elsewhere', { token: 'caller-token', body: recvonly }))).toMatchObject({ status: 404, code: 2004 });
    expect(await error(await post('/whip/subscribe/host', { token: 'caller-token', body: offer({ direction: 'sendonly' }) }))).toMatchObject({ status: 400 });
    expect(peers.subscriptions).toHaveLength(0);
  });

  it('ends a publication or a subscription on DELETE of its Location by its participant, and answers 404 after', async () => {
    const server = await start();
    const location = (await post('/whip', { token: 'host-token' })).headers.get('location')!;
    peers.publications[0]!.callbacks.onStateChange('connected');
    const subscribed = (await post('/whip/subscribe/host', { token: 'caller-token', body: offer({ direction: 'recvonly' }) })).headers.get('location')!;
    const ended: string[] = [];
    server.endpoint.participants.on('publicationEnded', (p) => ended.push(`${p.participantId}:${p.leaveReason}`));

    expect((await fetch(subscribed, { method: 'DELETE', headers: { authorization: 'Bearer host-token' } })).status).toBe(403);
    expect((await fetch(subscribed, { method: 'DELETE', headers: { authorization: 'Bearer caller-token' } })).status).toBe(200);
    expect(peers.subscriptions[0]!.closed).toBe(true);
    expect((await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer caller-token' } })).status).toBe(403);
    expect((await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer host-token' } })).status).toBe(200);
    expect(peers.publications[0]!.closed).toBe(true);
    expect(ended).toEqual(['host:DELETED']);
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toEqual([]);
    expect((await fetch(location, { method: 'DELETE', headers: { authorization: 'Bearer host-token' } })).status).toBe(404);
  });

  it('replaces an earlier publication of the same participant, and lets a failed connection leave', async () => {
    const server = await start();
    await publish('host-token');
    await post('/whip', { token: 'host-token' });
    expect(peers.publications.map((p) => p.closed)).toEqual([true, false]);
    peers.publications[1]!.callbacks.onStateChange('connected');
    expect(server.endpoint.participants.listPublications(STAGE_ARN)).toMatchObject([{ state: 'connected', route: 'whip' }]);
    peers.publications[1]!.callbacks.onStateChange('failed');
    await expect.poll(() => server.endpoint.participants.listPublications(STAGE_ARN)).toEqual([]);
    expect(peers.publications[1]!.closed).toBe(true);
  });

  it("answers CORS preflights from any page origin with the SDK's X-Stages headers, on the stage's routes", async () => {
    const server = await start();
    const requested = 'authorization, content-type, x-stages-platform, x-stages-request-id, x-stages-sdk, x-stages-session-id, x-stages-trace-id, x-stages-options, x-stages-whip-version, x-stages-initial-layer-pref';
    for (const path of ['/whip', '/whip/publish/host', '/whip/subscribe/host', '/whip/0f0e0d0c-0b0a-0908-0706-050403020100', '/whip/0f0e0d0c-0b0a-0908-0706-050403020100/playback']) {
      const preflight = await fetch(`${server.baseUrl}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://studio.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': requested },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://studio.example.com');
      const allowed = preflight.headers.get('access-control-allow-headers')!.split(', ');
      for (const header of requested.split(', ')) expect(allowed, header).toContain(header);
      expect(preflight.headers.get('access-control-expose-headers')).toContain('location');
      expect(preflight.headers.get('access-control-expose-headers')).toContain('link');
    }
    const answered = await post('/whip', { token: 'host-token', origin: 'http://127.0.0.1:3000' });
    expect(answered.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const refused = await post('/whip', { origin: 'http://127.0.0.1:3000' });
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
  });

  it('refuses trickle ICE (PATCH) with 405 and leaves other paths to the gateway', async () => {
    const server = await start();
    const location = (await post('/whip', { token: 'host-token' })).headers.get('location')!;
    const patch = await fetch(location, { method: 'PATCH', headers: { authorization: 'Bearer host-token', 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' });
    expect(patch.status).toBe(405);
    expect((await fetch(`${server.baseUrl}/elsewhere`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/whip`)).status).toBe(405);
  });
});
