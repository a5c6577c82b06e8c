/**
 * One publication: a werift peer connection that receives a publisher's tracks (an answer to its WHIP
 * offer, see loopback-peer.ts), reports its audio to the stage's mix, and lends its media to subscribers
 * (`PublishedMedia`): their RTP, the negotiated codecs, and keyframe requests passed back to the publisher.
 */
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RTCRtpReceiver, RtpPacket } from 'werift';
import { answerOffer, createLoopbackPeer, publishCodecs } from './loopback-peer.ts';

export { LOOPBACK_ADDRESS } from './loopback-peer.ts';

export type MediaKind = 'audio' | 'video';

/** The least time between two keyframe requests passed to a publisher. */
const KEYFRAME_REQUEST_INTERVAL_MS = 500;

/** What a publication reports to its owner. */
export interface PublicationCallbacks {
  onAudioRtp(trackId: string, packet: RtpPacket): void;
  onVideoRtp(): void;
  onStateChange(state: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed'): void;
}

/** A publication's media, as subscriptions forward it. */
export interface PublishedMedia {
  /** The codec negotiated for a kind (what its packets carry), if the publisher offered that kind. */
  codec(kind: MediaKind): RTCRtpCodecParameters | undefined;
  /** Receives every RTP packet of a kind from now on; returns the unsubscribe function. */
  onRtp(kind: MediaKind, listener: (packet: RtpPacket) => void): () => void;
  /** Asks the publisher for a video keyframe (a subscriber joined or lost a picture). */
  requestKeyframe(): void;
}

/** A peer connection that takes a publisher's offer and receives its media. */
export class WhipPublication implements PublishedMedia {
  private readonly pc: RTCPeerConnection;
  private readonly listeners: Record<MediaKind, Set<(packet: RtpPacket) => void>> = { audio: new Set(), video: new Set() };
  private readonly videoSources: { receiver: RTCRtpReceiver; track: MediaStreamTrack }[] = [];
  private lastKeyframeRequest = 0;
  private closed = false;

  constructor(
    readonly resourceId: string,
    private readonly callbacks: PublicationCallbacks,
  ) {
    this.pc = createLoopbackPeer(publishCodecs());
    this.pc.onTrack.subscribe((track) => this.receive(track));
    this.pc.connectionStateChange.subscribe((state) => {
      if (!this.closed) this.callbacks.onStateChange(state);
    });
  }

  /** Applies the offer and returns the complete answer SDP (candidates included, loopback only). */
  answer(offerSdp: string): Promise<string> {
    return answerOffer(this.pc, offerSdp, 'recvonly');
  }

  codec(kind: MediaKind): RTCRtpCodecParameters | undefined {
    const transceiver = this.pc.getTransceivers().find((t) => t.kind === kind && !t.stopped);
    return transceiver?.codecs[0];
  }

  onRtp(kind: MediaKind, listener: (packet: RtpPacket) => void): () => void {
    this.listeners[kind].add(listener);
    return () => this.listeners[kind].delete(listener);
  }

  requestKeyframe(): void {
    const now = Date.now();
    if (this.closed || now - this.lastKeyframeRequest < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.lastKeyframeRequest = now;
    for (const { receiver, track } of this.videoSources) {
      if (track.ssrc !== undefined) void receiver.sendRtcpPLI(track.ssrc).catch(() => undefined);
    }
  }

  /** Closes the peer connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.audio.clear();
    this.listeners.video.clear();
    await this.pc.close();
  }

  private receive(track: MediaStreamTrack): void {
    if (track.kind === 'audio') {
      track.onReceiveRtp.subscribe((packet) => {
        if (this.closed) return;
        const codec = track.codec?.mimeType.toLowerCase();
        if (codec !== undefined && codec !== 'audio/opus') return;
        this.callbacks.onAudioRtp(`${this.resourceId}/${packet.header.ssrc}`, packet);
        for (const listener of this.listeners.audio) listener(packet);
      });
    } else {
      const receiver = this.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track))?.receiver;
      if (receiver) this.videoSources.push({ receiver, track });
      track.onReceiveRtp.subscribe((packet) => {
        if (this.closed) return;
        this.callbacks.onVideoRtp();
        for (const listener of this.listeners.video) listener(packet);
      });
    }
  }
}
