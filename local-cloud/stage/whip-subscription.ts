/**
 * One subscription: a werift peer connection that answers a subscriber's offer (audio and video, recvonly)
 * with the publisher's codecs and forwards the publisher's RTP to it as it arrives (no transcoding, no
 * buffering). The subscriber's picture-loss indications are passed back to the publisher as keyframe
 * requests, and one is asked for as soon as the subscriber connects.
 */
import { RTCRtpCodecParameters, type RTCPeerConnection, type RtpPacket } from 'werift';
import { answerOffer, createLoopbackPeer, publishCodecs } from './loopback-peer.ts';
import type { MediaKind, PublishedMedia } from './whip-publication.ts';

export interface SubscriptionCallbacks {
  onStateChange(state: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'): void;
}

/** A fresh copy of a negotiated codec (its payload type is the publisher's: the subscriber's offer sets its own). */
function sameCodec(codec: RTCRtpCodecParameters): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    ...(codec.channels !== undefined ? { channels: codec.channels } : {}),
    ...(codec.parameters !== undefined ? { parameters: codec.parameters } : {}),
    rtcpFeedback: codec.rtcpFeedback,
  });
}

/** A peer connection that sends one publication's media to one subscriber. */
export class WhipSubscription {
  private readonly pc: RTCPeerConnection;
  private readonly detach: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly resourceId: string,
    private readonly source: PublishedMedia,
    private readonly callbacks: SubscriptionCallbacks,
  ) {
    const offered = publishCodecs();
    const audio = source.codec('audio');
    const video = source.codec('video');
    this.pc = createLoopbackPeer({ audio: audio ? [sameCodec(audio)] : offered.audio, video: video ? [sameCodec(video)] : offered.video });
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.closed) return;
      if (state === 'connected') source.requestKeyframe();
      this.callbacks.onStateChange(state);
    });
  }

  /** Applies the subscriber's offer, starts forwarding, and returns the complete answer SDP. */
  async answer(offerSdp: string): Promise<string> {
    const sdp = await answerOffer(this.pc, offerSdp, 'sendonly');
    for (const transceiver of this.pc.getTransceivers()) {
      const kind = transceiver.kind as MediaKind;
      if (kind !== 'audio' && kind !== 'video') continue;
      const sender = transceiver.sender;
      this.detach.push(
        this.source.onRtp(kind, (packet: RtpPacket) => {
          // The publisher's header extensions carry its own negotiated ids: the subscriber's differ.
          const forwarded = packet.clone();
          forwarded.header.extensions = [];
          void sender.sendRtp(forwarded).catch(() => undefined);
        }),
      );
      if (kind === 'video') {
        const pli = sender.onPictureLossIndication.subscribe(() => this.source.requestKeyframe());
        this.detach.push(() => pli.unSubscribe());
      }
    }
    return sdp;
  }

  /** Stops forwarding and closes the peer connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.detach.splice(0)) stop();
    await this.pc.close();
  }
}
