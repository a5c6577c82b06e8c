/**
 * Pins what the IVS web SDK sends a stage on join, publish, subscribe and leave, as Chromium's network layer
 * sees it: the events WebSocket's URL and subprotocol, the frames sent, the WHIP requests (paths, headers and
 * offers). The local stage emulates an undocumented protocol read from this bundle; when an upgrade of
 * `amazon-ivs-web-broadcast` changes any of it, this test fails, and the upgrade is a conscious step (check
 * the stage against the new bundle, then update these expectations and docs/local-cloud.md).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchSdkBrowser, type SdkBrowser, type StageTraffic } from '#test/fixtures/stage/sdk-browser';
import { startLocalIvsStage, type LocalIvsStage } from '#test/fixtures/stage/local-ivs-stage';
import { claimsOf } from '#test/fixtures/stage/local-signed-token';

/** The request headers the SDK sets itself (Chromium adds its own: accept, user-agent, sec-*, origin, ...). */
const SDK_HEADER = /^(authorization|content-type|x-stages-.*)$/;
/** Headers of every WHIP request, and their constant values. */
const COMMON_HEADERS = { 'x-stages-platform': 'web', 'x-stages-sdk': '1.41.0', 'x-stages-whip-version': 'draft-ietf-wish-whip-04' };
/** The SDK's headers on a playback or layer request (sorted); a WHIP POST adds `x-stages-options`. */
const CONTROL_HEADER_NAMES = ['authorization', 'content-type', 'x-stages-platform', 'x-stages-request-id', 'x-stages-sdk', 'x-stages-session-id', 'x-stages-trace-id', 'x-stages-whip-version'];
/** `X-Stages-Options` of a POST: base64 of {"cap":["sau"]}. */
const POST_OPTIONS = 'eyJjYXAiOlsic2F1Il19';
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The SDK's requests to the stage, preflights left out (Chromium sends those). */
function stageRequests(traffic: StageTraffic, stageOrigin: string) {
  return traffic.requests.filter((r) => r.url.startsWith(stageOrigin) && r.method !== 'OPTIONS');
}

/** The headers the SDK set on a request. */
function sdkHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => SDK_HEADER.test(name)));
}

/** The media sections of an SDP offer: kind, direction, codec names, and the Opus fmtp line. */
function sections(sdp: string) {
  return sdp
    .split('\r\nm=')
    .slice(1)
    .map((section) => {
      const lines = section.split('\r\n');
      return {
        kind: lines[0]!.split(' ')[0],
        direction: lines.find((l) => /^a=(sendonly|recvonly|sendrecv|inactive)$/.test(l))?.slice(2),
        codecs: [...new Set(lines.filter((l) => l.startsWith('a=rtpmap:')).map((l) => l.split(' ')[1]!.split('/')[0]!))],
        opus: lines.find((l) => l.startsWith('a=fmtp:111 ')),
      };
    });
}

describe('The IVS web SDK protocol the local stage emulates', () => {
  let local: LocalIvsStage;
  let browser: SdkBrowser;

  beforeAll(async () => {
    [local, browser] = await Promise.all([startLocalIvsStage(), launchSdkBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await local?.close();
  });

  it('is the pinned SDK, 1.41.0, exactly', () => {
    const require = createRequire(import.meta.url);
    const bundleDir = dirname(require.resolve('amazon-ivs-web-broadcast'));
    const installed = JSON.parse(readFileSync(join(bundleDir, '..', 'package.json'), 'utf8')) as { name: string; version: string };
    const declared = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(installed).toMatchObject({ name: 'amazon-ivs-web-broadcast', version: '1.41.0' });
    expect(declared.dependencies['amazon-ivs-web-broadcast']).toBe('1.41.0');
  });

  it('sends what the stage expects on join, publish, subscribe and leave', async () => {
    const stageArn = await local.createStage('protocol');
    const stageId = stageArn.split('/').pop()!;
    const host = await local.token(stageArn, 'host');
    const caller = await local.token(stageArn, 'caller');
    const { events_url: eventsUrl, whip_url: whipUrl } = claimsOf(host.token) as { events_url: string; whip_url: string };
    const stageOrigin = new URL(whipUrl).origin;
    const hostPage = await browser.newParticipant();
    const listener = await local.token(stageArn, 'listener');
    const callerPage = await browser.newParticipant();
    const listenerPage = await browser.newParticipant();
    const hostTraffic = await browser.record(hostPage.page);
    const callerTraffic = await browser.record(callerPage.page);
    const listenerTraffic = await browser.record(listenerPage.page);
    expect(await hostPage.join(host.token, { publishAudio: true, publishVideo: true })).toMatchObject({ ok: true });
    expect(await callerPage.join(caller.token, { subscribe: 'audio-video' })).toMatchObject({ ok: true });
    expect(await listenerPage.join(listener.token, { subscribe: 'audio' })).toMatchObject({ ok: true });
    await expect.poll(async () => (await callerPage.state()).received.length, { timeout: 10_000 }).toBe(2);
    // The audio-only subscriber pauses the video section (IVS's playback controls, linked from the answer).
    await expect.poll(() => stageRequests(listenerTraffic, stageOrigin).some((r) => r.url.endsWith('/playback')), { timeout: 10_000 }).toBe(true);
    await callerPage.leave();
    await listenerPage.leave();
    await hostPage.leave();
    const left = (traffic: StageTraffic) => stageRequests(traffic, stageOrigin).at(-1)?.method === 'DELETE';
    await expect.poll(() => left(hostTraffic) && left(callerTraffic) && left(listenerTraffic), { timeout: 10_000 }).toBe(true);

    // The events WebSocket: the token's events_url with three query parameters, the token as subprotocol.
    for (const [traffic, token] of [[hostTraffic, host.token], [callerTraffic, caller.token]] as const) {
      expect(traffic.sockets).toHaveLength(1);
      const url = new URL(traffic.sockets[0]!.url);
      expect(`${url.origin}${url.pathname}`).toBe(eventsUrl);
      expect([...url.searchParams.keys()]).toEqual(['error_over_ws', 'topic', 'traceid']);
      expect(url.searchParams.get('error_over_ws')).toBe('1');
      expect(url.searchParams.get('topic')).toBe(`${stageId}/publishers`);
      expect(url.searchParams.get('traceid')).toMatch(TRACE_ID);
      expect(traffic.sockets[0]!.protocol).toBe(token);
    }
    // Frames: a publisher states its media once it publishes; a subscriber says nothing (PINGs come every 15 s).
    expect(hostTraffic.sent).toEqual(['{"audioMuted":false,"type":"SET_STATE","version":"0","videoStopped":false}']);
    expect(callerTraffic.sent).toEqual([]);
    expect(listenerTraffic.sent).toEqual([]);

    // Publish: POST <whip_url>/publish/<own id>, then DELETE of the Location on leave.
    const [publish, unpublish] = stageRequests(hostTraffic, stageOrigin);
    expect(publish).toMatchObject({ method: 'POST', url: `${whipUrl}/publish/${host.participantId}` });
    const publishHeaders = sdkHeaders(publish!.headers);
    expect(Object.keys(publishHeaders).sort()).toEqual([...CONTROL_HEADER_NAMES, 'x-stages-options'].sort());
    expect(publishHeaders).toMatchObject({ ...COMMON_HEADERS, authorization: `Bearer ${host.token}`, 'content-type': 'application/sdp', 'x-stages-options': POST_OPTIONS });
    expect(publishHeaders['x-stages-request-id']).toMatch(REQUEST_ID);
    expect(publishHeaders['x-stages-trace-id']).toMatch(TRACE_ID);
    expect(publish!.body).not.toContain('a=candidate');
    expect(sections(publish!.body!)).toEqual([
      { kind: 'audio', direction: 'sendonly', codecs: expect.arrayContaining(['opus']), opus: expect.stringMatching(/maxaveragebitrate=64000;.*stereo=0/) },
      { kind: 'video', direction: 'sendrecv', codecs: expect.arrayContaining(['VP8', 'H264', 'AV1', 'VP9']), opus: undefined },
    ]);
    expect(unpublish).toMatchObject({ method: 'DELETE', url: expect.stringMatching(new RegExp(`^${whipUrl}/[0-9a-f-]{36}$`)) });
    expect(Object.keys(sdkHeaders(unpublish!.headers)).sort()).toEqual(['authorization', 'x-stages-platform', 'x-stages-request-id', 'x-stages-sdk', 'x-stages-session-id', 'x-stages-trace-id', 'x-stages-whip-version']);

    expect(stageRequests(hostTraffic, stageOrigin)).toHaveLength(2);

    // Subscribe: POST <whip_url>/subscribe/<publisher id>, audio and video recvonly, the lowest layer first;
    // then, at the answer's links, the video section played and the layers read (none) and left to the stage.
    const callerRequests = stageRequests(callerTraffic, stageOrigin);
    const [subscribe, play, ...layerRequests] = callerRequests.slice(0, -1);
    const unsubscribe = callerRequests.at(-1);
    const resource = unsubscribe!.url;
    expect(play).toMatchObject({ method: 'POST', url: `${resource}/playback`, body: '{"play":["1"]}' });
    expect(Object.keys(sdkHeaders(play!.headers)).sort()).toEqual(CONTROL_HEADER_NAMES);
    expect(sdkHeaders(play!.headers)).toMatchObject({ ...COMMON_HEADERS, authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' });
    expect(layerRequests.map((r) => `${r.method} ${r.url.slice(resource.length)} ${r.body ?? ''}`.trim())).toEqual(expect.arrayContaining(['GET /layers', 'POST /layers {}']));
    expect(layerRequests.every((r) => r.url === `${resource}/layers`)).toBe(true);
    const listenerRequests = stageRequests(listenerTraffic, stageOrigin);
    expect(listenerRequests.find((r) => r.url.endsWith('/playback'))).toMatchObject({ method: 'POST', body: '{"pause":["1"]}' });
    expect(subscribe).toMatchObject({ method: 'POST', url: `${whipUrl}/subscribe/${host.participantId}` });
    expect(sdkHeaders(subscribe!.headers)).toMatchObject({ ...COMMON_HEADERS, authorization: `Bearer ${caller.token}`, 'content-type': 'application/sdp', 'x-stages-options': POST_OPTIONS, 'x-stages-initial-layer-pref': 'lowest' });
    expect(Object.keys(sdkHeaders(subscribe!.headers))).toHaveLength(10);
    expect(subscribe!.body).not.toContain('a=candidate');
    expect(sections(subscribe!.body!).map((m) => [m.kind, m.direction])).toEqual([
      ['audio', 'recvonly'],
      ['video', 'recvonly'],
    ]);
    expect(unsubscribe).toMatchObject({ method: 'DELETE', url: expect.stringMatching(new RegExp(`^${whipUrl}/[0-9a-f-]{36}$`)) });
  }, 90_000);
});
