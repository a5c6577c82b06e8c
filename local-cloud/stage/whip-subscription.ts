/**
 * One subscription: a werift peer connection that answers a subscriber's offer (audio and video, recvonly)
 * with the publisher's codecs and forwards the publisher's RTP to it as it arrives (no transcoding, no
 * buffering). The subscriber's picture-loss indications are passed back to the publisher as keyframe
 * requests, and one is asked for as soon as the subscriber connects.
 *
 * The subscriber can pause and play the forwarding of each of its media sections by mid (IVS's playback
 * controls, stage-endpoint.ts): the web SDK's audio-only subscriptions still offer video, and pause it so.
 * A video section played again asks the publisher for a keyframe.
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
  /** The kind of each media section the answer took, by the subscriber's mid. */
  private readonly sections = new Map<string, MediaKind>();
  /** The mids whose forwarding the subscriber paused. */
  private readonly paused = new Set<string>();

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
      const mid = transceiver.mid ?? undefined;
      if (mid !== undefined) this.sections.set(mid, kind);
      this.detach.push(
        this.source.onRtp(kind, (packet: RtpPacket) => {
          if (mid !== undefined && this.paused.has(mid)) return;
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

  /**
   * Pauses the forwarding of media sections and plays others again, by the subscriber's mids; throws
   * UnknownMediaSectionError, changing nothing, when one is not a section of the answer.
   */
  setForwarding(changes: { pause: readonly string[]; play: readonly string[] }): void {
    const unknown = [...changes.pause, ...changes.play].find((mid) => !this.sections.has(mid));
    if (unknown !== undefined) throw new UnknownMediaSectionError(unknown);
    for (const mid of changes.pause) this.paused.add(mid);
    for (const mid of changes.play) if (this.paused.delete(mid) && this.sections.get(mid) === 'video') this.source.requestKeyframe();
  }

  /** Stops forwarding and closes the peer connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.detach.splice(0)) stop();
    await this.pc.close();
  }
}

/** A playback control named a mid the subscription has no media section for. */
export class UnknownMediaSectionError extends Error {
  constructor(readonly mid: string) {
    super(`The subscription has no media section with mid "${mid}"`);
    this.name = 'UnknownMediaSectionError';
  }
}
