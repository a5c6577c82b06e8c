/**
 * One WHIP publication: a werift peer connection that receives a publisher's tracks. ICE gathers on the
 * loopback interface only (no STUN, no TURN, no TCP, no IPv6) and the answer is non-trickle: it carries
 * its candidates, narrowed to loopback host candidates.
 */
import { RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack, type RtpPacket } from 'werift';
import { keepCandidatesOn } from './sdp.ts';

/** The only address the stage's ICE agent offers. */
export const LOOPBACK_ADDRESS = '127.0.0.1';

/** How long ICE gathering may take before the answer is sent with what was gathered. */
const GATHERING_TIMEOUT_MS = 5_000;

/** What a publication reports to its owner. */
export interface PublicationCallbacks {
  onAudioRtp(trackId: string, packet: RtpPacket): void;
  onVideoRtp(): void;
  onStateChange(state: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'): void;
}

/** A peer connection that takes a publisher's offer and receives its media. */
export class WhipPublication {
  private readonly pc: RTCPeerConnection;
  private closed = false;

  constructor(
    readonly resourceId: string,
    private readonly callbacks: PublicationCallbacks,
  ) {
    this.pc = new RTCPeerConnection({
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
          }),
          new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000 }),
        ],
      },
      iceServers: [],
      iceUseIpv4: true,
      iceUseIpv6: false,
      iceUseTcp: false,
      iceInterfaceAddresses: { udp4: LOOPBACK_ADDRESS },
      iceAdditionalHostAddresses: [LOOPBACK_ADDRESS],
    });
    this.pc.onTrack.subscribe((track) => this.receive(track));
    this.pc.connectionStateChange.subscribe((state) => {
      if (!this.closed) this.callbacks.onStateChange(state);
    });
  }

  /** Applies the offer and returns the complete answer SDP (candidates included, loopback only). */
  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    for (const transceiver of this.pc.getTransceivers()) transceiver.setDirection('recvonly');
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await this.gatheringComplete();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error('werift produced no local description');
    return keepCandidatesOn(sdp, [LOOPBACK_ADDRESS]);
  }

  /** Closes the peer connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pc.close();
  }

  private receive(track: MediaStreamTrack): void {
    if (track.kind === 'audio') {
      track.onReceiveRtp.subscribe((packet) => {
        if (this.closed) return;
        const codec = track.codec?.mimeType.toLowerCase();
        if (codec !== undefined && codec !== 'audio/opus') return;
        this.callbacks.onAudioRtp(`${this.resourceId}/${packet.header.ssrc}`, packet);
      });
    } else {
      track.onReceiveRtp.subscribe(() => {
        if (!this.closed) this.callbacks.onVideoRtp();
      });
    }
  }

  private async gatheringComplete(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, GATHERING_TIMEOUT_MS);
      const subscription = this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state === 'complete') done();
      });
      function done(): void {
        clearTimeout(timer);
        subscription.unSubscribe();
        resolve();
      }
    });
  }
}
