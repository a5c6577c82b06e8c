import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, useOPUS } from 'werift';
import { answerOffer, createLoopbackPeer, LOOPBACK_ADDRESS, publishCodecs } from '#local-cloud/stage/loopback-peer';

const peers: RTCPeerConnection[] = [];

function connected(pc: RTCPeerConnection): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const subscription = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') resolve();
      else if (state === 'failed' || state === 'closed') reject(new Error(`the peer went ${state}`));
      else return;
      subscription.unSubscribe();
    });
  });
}

afterEach(async () => {
  await Promise.all(peers.splice(0).map((pc) => pc.close()));
});

describe('answerOffer', () => {
  it('answers as DTLS server (a=setup:passive) with loopback candidates only, and the offerer connects to it', async () => {
    // An offerer in the role of the browser: actpass, as the IVS web SDK's offers are.
    const offerer = new RTCPeerConnection({ codecs: { audio: [useOPUS()] }, iceServers: [], iceUseIpv6: false, iceInterfaceAddresses: { udp4: LOOPBACK_ADDRESS } });
    const answerer = createLoopbackPeer(publishCodecs());
    peers.push(offerer, answerer);
    offerer.addTransceiver('audio', { direction: 'sendonly' });
    await offerer.setLocalDescription(await offerer.createOffer());
    expect(offerer.localDescription!.sdp).toContain('a=setup:actpass');

    const answer = await answerOffer(answerer, offerer.localDescription!.sdp, 'recvonly');

    const lines = answer.split(/\r?\n/);
    expect(lines.filter((line) => line.startsWith('a=setup:'))).toEqual(['a=setup:passive']);
    const candidates = lines.filter((line) => line.startsWith('a=candidate:'));
    expect(candidates.length).toBeGreaterThan(0);
    for (const candidate of candidates) expect(candidate.split(' ')[4]).toBe(LOOPBACK_ADDRESS);
    await offerer.setRemoteDescription({ type: 'answer', sdp: answer });
    await Promise.all([connected(offerer), connected(answerer)]);
    expect(answerer.dtlsTransports.map((t) => [t.role, t.state])).toEqual([['server', 'connected']]);
  }, 20_000);
});
