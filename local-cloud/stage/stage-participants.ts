/**
 * Who is on each local stage: participants that publish over WHIP, their connection state, and their audio
 * packets for whoever records the stage. Events: `participantJoined`, `participantLeft`,
 * `participantStateChanged` (each with a `StageParticipant` snapshot).
 */
import { EventEmitter } from 'node:events';

export type ParticipantConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** Why a participant left the stage. */
export type LeaveReason = 'DELETED' | 'CONNECTION_FAILED' | 'CONNECTION_CLOSED' | 'CONNECT_TIMEOUT' | 'REPLACED' | 'STAGE_CLOSED';

/** One publishing participant, as the stage sees it. */
export interface StageParticipant {
  participantId: string;
  stageArn: string;
  userId?: string;
  attributes: Record<string, string>;
  /** The WHIP resource id of this publication. */
  resourceId: string;
  state: ParticipantConnectionState;
  joinedAt: Date;
  leftAt?: Date;
  leaveReason?: LeaveReason;
  audioPackets: number;
  videoPackets: number;
}

/** One RTP packet of a published audio track. */
export interface AudioRtpPacket {
  sequenceNumber: number;
  timestamp: number;
  payload: Uint8Array;
  /** Wall-clock arrival (ms since the epoch). */
  receivedAtMs: number;
}

/** Receives the audio packets of every track published to a stage. `trackId` is unique per track. */
export type AudioPacketListener = (trackId: string, packet: AudioRtpPacket) => void;
/** Told when a track will send no more (its participant left). */
export type TrackEndedListener = (trackId: string) => void;

export interface StageParticipantEvents {
  participantJoined: [StageParticipant];
  participantLeft: [StageParticipant];
  participantStateChanged: [StageParticipant];
}

interface StageAudioSubscriber {
  onPacket: AudioPacketListener;
  onTrackEnded: TrackEndedListener;
}

/** The participants of every local stage, and the audio they publish. */
export class StageParticipants extends EventEmitter<StageParticipantEvents> {
  /** Current publications by WHIP resource id. */
  private readonly byResource = new Map<string, StageParticipant>();
  private readonly subscribers = new Map<string, Set<StageAudioSubscriber>>();
  private readonly tracksByResource = new Map<string, Set<string>>();

  /** Records a new publication and announces it. */
  join(participant: Omit<StageParticipant, 'state' | 'audioPackets' | 'videoPackets' | 'joinedAt'>, now = new Date()): StageParticipant {
    const record: StageParticipant = { ...participant, state: 'new', joinedAt: now, audioPackets: 0, videoPackets: 0 };
    this.byResource.set(record.resourceId, record);
    this.emit('participantJoined', { ...record });
    return record;
  }

  /** Updates a publication's connection state. */
  setState(resourceId: string, state: ParticipantConnectionState): void {
    const record = this.byResource.get(resourceId);
    if (!record || record.state === state) return;
    record.state = state;
    this.emit('participantStateChanged', { ...record });
  }

  /** Removes a publication, ends its tracks for subscribers and announces it. No-op when already gone. */
  leave(resourceId: string, reason: LeaveReason, now = new Date()): void {
    const record = this.byResource.get(resourceId);
    if (!record) return;
    this.byResource.delete(resourceId);
    record.leftAt = now;
    record.leaveReason = reason;
    for (const trackId of this.tracksByResource.get(resourceId) ?? []) {
      for (const subscriber of this.subscribers.get(record.stageArn) ?? []) subscriber.onTrackEnded(trackId);
    }
    this.tracksByResource.delete(resourceId);
    this.emit('participantLeft', { ...record });
  }

  /** The publication with this WHIP resource id, if it is still on its stage. */
  byResourceId(resourceId: string): StageParticipant | undefined {
    return this.byResource.get(resourceId);
  }

  /** Snapshots of the participants currently publishing to a stage. */
  listParticipants(stageArn: string): StageParticipant[] {
    return [...this.byResource.values()].filter((p) => p.stageArn === stageArn).map((p) => ({ ...p }));
  }

  /** Resource ids of every current publication (all stages). */
  resourceIds(): string[] {
    return [...this.byResource.keys()];
  }

  /** Delivers one audio packet of a publication's track to the stage's subscribers. */
  deliverAudio(resourceId: string, trackId: string, packet: AudioRtpPacket): void {
    const record = this.byResource.get(resourceId);
    if (!record) return;
    record.audioPackets++;
    let tracks = this.tracksByResource.get(resourceId);
    if (!tracks) this.tracksByResource.set(resourceId, (tracks = new Set()));
    tracks.add(trackId);
    for (const subscriber of this.subscribers.get(record.stageArn) ?? []) subscriber.onPacket(trackId, packet);
  }

  /** Counts a video packet (video is not mixed). */
  countVideo(resourceId: string): void {
    const record = this.byResource.get(resourceId);
    if (record) record.videoPackets++;
  }

  /** Receives every audio packet published to a stage from now on; returns the unsubscribe function. */
  subscribeAudio(stageArn: string, onPacket: AudioPacketListener, onTrackEnded: TrackEndedListener = () => {}): () => void {
    const subscriber: StageAudioSubscriber = { onPacket, onTrackEnded };
    let set = this.subscribers.get(stageArn);
    if (!set) this.subscribers.set(stageArn, (set = new Set()));
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(stageArn);
    };
  }
}
