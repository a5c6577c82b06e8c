/**
 * Who is on each local stage, as IVS's events plane tells it: participants connected to the events WebSocket
 * (the web SDK's), and publications (the SDK's, and plain WHIP encoders', which never open the WebSocket).
 * A participant is on the stage while it is connected or publishes; `snapshot(stageArn)` lists them in
 * IVS's `STAGE_STATE` shape. Audio packets of every publication go to whoever records the stage.
 *
 * Events: `publicationStarted` / `publicationEnded` / `publicationStateChanged` (a `StagePublication`), and
 * `stageChanged` (a stage ARN) after anything that changes its snapshot.
 */
import { EventEmitter } from 'node:events';

export type ParticipantConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** Why a publication ended. */
export type UnpublishReason =
  | 'DELETED'
  | 'CONNECTION_FAILED'
  | 'CONNECTION_CLOSED'
  | 'CONNECT_TIMEOUT'
  | 'REPLACED'
  | 'STAGE_CLOSED'
  | 'STAGE_DELETED'
  | 'PARTICIPANT_DISCONNECTED';

/** How a publication reached the stage: the web SDK's publish route, or plain WHIP (OBS and other encoders). */
export type PublicationRoute = 'sdk' | 'whip';

/** Who a participant is, from its token. */
export interface ParticipantIdentity {
  participantId: string;
  stageArn: string;
  userId?: string;
  attributes: Record<string, string>;
}

/** One publication, as the stage sees it. */
export interface StagePublication extends ParticipantIdentity {
  /** The id in the publication's `Location`. */
  resourceId: string;
  route: PublicationRoute;
  state: ParticipantConnectionState;
  joinedAt: Date;
  leftAt?: Date;
  leaveReason?: UnpublishReason;
  audioPackets: number;
  videoPackets: number;
}

/** A participant connected to the events WebSocket. */
export interface StagePresence extends ParticipantIdentity {
  connectedAt: Date;
  audioMuted: boolean;
  videoStopped: boolean;
}

/** One participant of a `STAGE_STATE` snapshot (IVS's field names). */
export interface ParticipantSnapshot {
  id: string;
  userId: string;
  attributes: Record<string, string>;
  isPublishing: boolean;
  audioMuted: boolean;
  videoStopped: boolean;
}

/** A participant removed from the stage by the control plane (`disconnected` of a snapshot). */
export interface DisconnectedParticipant {
  id: string;
  status: 'KICKED';
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
/** Told when a track will send no more (its publication ended). */
export type TrackEndedListener = (trackId: string) => void;

export interface StageParticipantEvents {
  publicationStarted: [StagePublication];
  publicationEnded: [StagePublication];
  publicationStateChanged: [StagePublication];
  stageChanged: [string];
}

interface StageAudioSubscriber {
  onPacket: AudioPacketListener;
  onTrackEnded: TrackEndedListener;
}

/** How many KICKED entries a stage's snapshots keep (the oldest go first). */
const MAX_DISCONNECTED_KEPT = 50;

/** The participants of every local stage, and the audio they publish. */
export class StageParticipants extends EventEmitter<StageParticipantEvents> {
  /** Current publications by resource id. */
  private readonly publications = new Map<string, StagePublication>();
  /** Events connections by participant id (one per participant: a second one replaces the first). */
  private readonly presences = new Map<string, StagePresence>();
  private readonly kicked = new Map<string, DisconnectedParticipant[]>();
  private readonly subscribers = new Map<string, Set<StageAudioSubscriber>>();
  private readonly tracksByResource = new Map<string, Set<string>>();

  /** Records a participant's events connection (or updates it) and announces the change. */
  connect(identity: ParticipantIdentity, now = new Date()): void {
    const previous = this.presences.get(identity.participantId);
    this.presences.set(identity.participantId, {
      ...identity,
      connectedAt: now,
      audioMuted: previous?.audioMuted ?? false,
      videoStopped: previous?.videoStopped ?? false,
    });
    this.emit('stageChanged', identity.stageArn);
  }

  /** Records what a connected participant says of its media (`SET_STATE`). */
  setMediaState(participantId: string, state: { audioMuted: boolean; videoStopped: boolean }): void {
    const presence = this.presences.get(participantId);
    if (!presence) return;
    presence.audioMuted = state.audioMuted;
    presence.videoStopped = state.videoStopped;
    this.emit('stageChanged', presence.stageArn);
  }

  /** Forgets a participant's events connection. No-op when it has none. */
  disconnect(participantId: string): void {
    const presence = this.presences.get(participantId);
    if (!presence) return;
    this.presences.delete(participantId);
    this.emit('stageChanged', presence.stageArn);
  }

  /** Lists a participant as KICKED in its stage's next snapshots (DisconnectParticipant). */
  markKicked(stageArn: string, participantId: string): void {
    const list = this.kicked.get(stageArn) ?? [];
    if (!list.some((p) => p.id === participantId)) list.push({ id: participantId, status: 'KICKED' });
    this.kicked.set(stageArn, list.slice(-MAX_DISCONNECTED_KEPT));
    this.emit('stageChanged', stageArn);
  }

  /** Forgets everything kept of a stage that no longer exists. */
  forgetStage(stageArn: string): void {
    this.kicked.delete(stageArn);
  }

  /** Records a new publication and announces it. */
  publish(publication: Omit<StagePublication, 'state' | 'audioPackets' | 'videoPackets' | 'joinedAt'>, now = new Date()): StagePublication {
    const record: StagePublication = { ...publication, state: 'new', joinedAt: now, audioPackets: 0, videoPackets: 0 };
    this.publications.set(record.resourceId, record);
    this.emit('publicationStarted', { ...record });
    this.emit('stageChanged', record.stageArn);
    return record;
  }

  /** Updates a publication's connection state. */
  setState(resourceId: string, state: ParticipantConnectionState): void {
    const record = this.publications.get(resourceId);
    if (!record || record.state === state) return;
    record.state = state;
    this.emit('publicationStateChanged', { ...record });
    this.emit('stageChanged', record.stageArn);
  }

  /** Removes a publication, ends its tracks for subscribers and announces it. No-op when already gone. */
  unpublish(resourceId: string, reason: UnpublishReason, now = new Date()): void {
    const record = this.publications.get(resourceId);
    if (!record) return;
    this.publications.delete(resourceId);
    record.leftAt = now;
    record.leaveReason = reason;
    for (const trackId of this.tracksByResource.get(resourceId) ?? []) {
      for (const subscriber of this.subscribers.get(record.stageArn) ?? []) subscriber.onTrackEnded(trackId);
    }
    this.tracksByResource.delete(resourceId);
    this.emit('publicationEnded', { ...record });
    this.emit('stageChanged', record.stageArn);
  }

  /** The publication with this resource id, if it is still on its stage. */
  publication(resourceId: string): StagePublication | undefined {
    const record = this.publications.get(resourceId);
    return record ? { ...record } : undefined;
  }

  /** The current publication of a participant, if any. */
  publicationOf(participantId: string): StagePublication | undefined {
    for (const record of this.publications.values()) if (record.participantId === participantId) return { ...record };
    return undefined;
  }

  /** Snapshots of the publications of a stage. */
  listPublications(stageArn: string): StagePublication[] {
    return [...this.publications.values()].filter((p) => p.stageArn === stageArn).map((p) => ({ ...p }));
  }

  /** Resource ids of every current publication (all stages). */
  resourceIds(): string[] {
    return [...this.publications.keys()];
  }

  /** The events connection of a participant, if it has one. */
  presence(participantId: string): StagePresence | undefined {
    const presence = this.presences.get(participantId);
    return presence ? { ...presence } : undefined;
  }

  /**
   * A stage as IVS's `STAGE_STATE` tells it: every participant that is connected or publishes, publishing
   * once its media is connected; plain WHIP publishers send both audio and video.
   */
  snapshot(stageArn: string): { participants: ParticipantSnapshot[]; disconnected: DisconnectedParticipant[] } {
    const byId = new Map<string, ParticipantSnapshot>();
    for (const presence of this.presences.values()) {
      if (presence.stageArn !== stageArn) continue;
      byId.set(presence.participantId, {
        id: presence.participantId,
        userId: presence.userId ?? '',
        attributes: { ...presence.attributes },
        isPublishing: false,
        audioMuted: presence.audioMuted,
        videoStopped: presence.videoStopped,
      });
    }
    for (const publication of this.publications.values()) {
      if (publication.stageArn !== stageArn) continue;
      const entry = byId.get(publication.participantId) ?? {
        id: publication.participantId,
        userId: publication.userId ?? '',
        attributes: { ...publication.attributes },
        isPublishing: false,
        audioMuted: false,
        videoStopped: false,
      };
      entry.isPublishing = publication.state === 'connected';
      byId.set(publication.participantId, entry);
    }
    const participants = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
    return { participants, disconnected: [...(this.kicked.get(stageArn) ?? [])] };
  }

  /** Delivers one audio packet of a publication's track to the stage's subscribers. */
  deliverAudio(resourceId: string, trackId: string, packet: AudioRtpPacket): void {
    const record = this.publications.get(resourceId);
    if (!record) return;
    record.audioPackets++;
    let tracks = this.tracksByResource.get(resourceId);
    if (!tracks) this.tracksByResource.set(resourceId, (tracks = new Set()));
    tracks.add(trackId);
    for (const subscriber of this.subscribers.get(record.stageArn) ?? []) subscriber.onPacket(trackId, packet);
  }

  /** Counts a video packet (video is forwarded to subscribers, never mixed). */
  countVideo(resourceId: string): void {
    const record = this.publications.get(resourceId);
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
