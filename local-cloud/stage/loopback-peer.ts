/**
 * What every peer connection of the local stage shares: werift with ICE on the loopback interface only (no
 * STUN, no TURN, no TCP, no IPv6) and non-trickle answers that carry their candidates, narrowed to loopback
 * host candidates. The browser's address is learnt from its connectivity checks (peer-reflexive), so offers
 * without candidates (the IVS web SDK's) connect too.
 *
 * The answers take the DTLS server role (`a=setup:passive`): the browser, which offers `actpass`, sends its
 * ClientHello as soon as its ICE check succeeds, and the DTLS datagrams that arrive before werift has started
 * DTLS are kept for it (early-dtls.ts). As DTLS client (werift's default answer, `active`) werift sleeps a
 * fixed 100 ms after its ICE connects before it sends its ClientHello (`RTCDtlsTransport.start`): that was
 * half of a loopback publish. RFC 5763 lets the answerer take either role; the SDK, as any offerer, takes both.
 */
import { RTCDtlsTransport, RTCPeerConnection, useH264, useOPUS, useVP8, type RTCCertificate, type RTCRtpCodecParameters } from 'werift';
import { keepEarlyDtlsDatagrams } from './early-dtls.ts';
import { keepCandidatesOn } from './sdp.ts';

/** The only address the stage's ICE agent offers. */
export const LOOPBACK_ADDRESS = '127.0.0.1';

/** How long ICE gathering may take before the answer is sent with what was gathered. */
const GATHERING_TIMEOUT_MS = 5_000;

/** The codecs the stage takes from publishers: Opus; H.264 (constrained baseline, as IVS) and VP8. */
export function publishCodecs(): { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] } {
  return {
    audio: [useOPUS()],
    video: [useH264({ parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' }), useVP8()],
  };
}

/**
 * Makes the DTLS certificate every peer connection of this process uses, ahead of the first offer. werift
 * makes one per process (an ECDSA P-256 key and a self-signed certificate, cached by
 * `RTCDtlsTransport.SetupCertificate`) when the first connection needs it: 30–160 ms, and the first publish
 * into a fresh stage answered in ~325 ms against ~60 ms for the next ones. The stage calls this when it starts.
 */
export function prepareDtlsCertificate(): Promise<RTCCertificate> {
  return RTCDtlsTransport.SetupCertificate();
}

/** A peer connection on loopback with these codecs. */
export function createLoopbackPeer(codecs: { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] }): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs,
    iceServers: [],
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceInterfaceAddresses: { udp4: LOOPBACK_ADDRESS },
    iceAdditionalHostAddresses: [LOOPBACK_ADDRESS],
  });
}

/**
 * Applies an offer, turns every transceiver to `direction`, and returns the complete answer SDP (candidates
 * included, loopback only).
 */
export async function answerOffer(pc: RTCPeerConnection, offerSdp: string, direction: 'recvonly' | 'sendonly'): Promise<string> {
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  for (const transceiver of pc.getTransceivers()) transceiver.setDirection(direction);
  for (const transport of pc.dtlsTransports) {
    // The answer says `a=setup:passive` (werift answers `active` while a transport's role is `auto`).
    transport.role = 'server';
    keepEarlyDtlsDatagrams(transport);
  }
  await pc.setLocalDescription(await pc.createAnswer());
  await gatheringComplete(pc);
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new Error('werift produced no local description');
  return keepCandidatesOn(sdp, [LOOPBACK_ADDRESS]);
}

async function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, GATHERING_TIMEOUT_MS);
    const subscription = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') done();
    });
    function done(): void {
      clearTimeout(timer);
      subscription.unSubscribe();
      resolve();
    }
  });
}
