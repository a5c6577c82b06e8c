/**
 * The media of every local stage: publications (werift peers that receive a participant's tracks, reached by
 * the web SDK's publish route or by plain WHIP) and subscriptions (peers that forward one publication to one
 * subscriber). IVS's rules hold: capabilities come from the token, a stage takes at most
 * MAX_PUBLISHERS_PER_STAGE publishers, a participant has one publication (a new one replaces the old), and a
 * subscription ends with the publication it forwards. A peer that does not connect within the connect
 * timeout, or whose connection fails or closes, is ended. A subscriber pauses and plays what it is sent per
 * media section (IVS's playback controls).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { checkOffer, checkSubscribeOffer, InvalidOfferError } from './sdp.ts';
import type { StageParticipantClaims } from './participant-claims.ts';
import { StageHttpError, WHIP_ERROR } from './stage-errors.ts';
import type { ParticipantConnectionState, PublicationRoute, StageParticipants, UnpublishReason } from './stage-participants.ts';
import { WhipPublication, type PublicationCallbacks, type PublishedMedia } from './whip-publication.ts';
import { UnknownMediaSectionError, WhipSubscription, type SubscriptionCallbacks } from './whip-subscription.ts';
import { isPlainObject } from '../is-plain-object.ts';

/** IVS's quota: publishers on one stage at once. */
export const MAX_PUBLISHERS_PER_STAGE = 12;
/** How long a peer may take to connect after its answer before it is dropped. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** A receiving peer (werift in production, a fake in unit tests). */
export type PublicationPeer = Pick<WhipPublication, 'answer' | 'close'> & PublishedMedia;
export type PublicationFactory = (resourceId: string, callbacks: PublicationCallbacks) => PublicationPeer;
/** A sending peer that forwards `source`. */
export type SubscriptionPeer = Pick<WhipSubscription, 'answer' | 'close' | 'setForwarding'>;
export type SubscriptionFactory = (resourceId: string, source: PublishedMedia, callbacks: SubscriptionCallbacks) => SubscriptionPeer;

export interface StageMediaOptions {
  participants: StageParticipants;
  connectTimeoutMs?: number;
  createPublication?: PublicationFactory;
  createSubscription?: SubscriptionFactory;
  now?: () => Date;
  /** Told about failures no HTTP answer reports (a peer that failed to close). */
  onError?: (message: string, error: unknown) => void;
}

/** What a publish or subscribe answers. */
export interface MediaAnswer {
  resourceId: string;
  sdp: string;
  etag: string;
}

interface Publication {
  resourceId: string;
  participantId: string;
  stageArn: string;
  peer: PublicationPeer;
  connectTimer?: NodeJS.Timeout;
}

interface Subscription {
  resourceId: string;
  participantId: string;
  publicationId: string;
  peer: SubscriptionPeer;
  connected: boolean;
  connectTimer?: NodeJS.Timeout;
}

/** Why a subscription ended (for `onSubscriptionEnded`, tests and logs). */
export type UnsubscribeReason = UnpublishReason | 'PUBLICATION_ENDED';

/** Publications and subscriptions of every local stage. */
export class StageMedia {
  private readonly publications = new Map<string, Publication>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly connectTimeoutMs: number;

  constructor(private readonly options: StageMediaOptions) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** Takes a publisher's offer: checks capabilities, capacity and the offer, answers, and puts it on the stage. */
  async publish(claims: StageParticipantClaims, offer: string, route: PublicationRoute): Promise<MediaAnswer> {
    if (!claims.capabilities.allow_publish) throw new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, 'The participant token does not allow publishing');
    const participants = this.options.participants;
    const previous = participants.publicationOf(claims.jti);
    const others = participants.listPublications(claims.resource).filter((p) => p.participantId !== claims.jti);
    if (others.length >= MAX_PUBLISHERS_PER_STAGE) {
      throw new StageHttpError(403, WHIP_ERROR.STAGE_AT_CAPACITY, `The stage already has ${MAX_PUBLISHERS_PER_STAGE} publishers`);
    }
    checked(() => checkOffer(offer, { requireH264: route === 'whip' }));
    if (previous) await this.endPublication(previous.resourceId, 'REPLACED');

    const resourceId = randomUUID();
    const peer = (this.options.createPublication ?? ((id, callbacks) => new WhipPublication(id, callbacks)))(resourceId, {
      onAudioRtp: (trackId, packet) =>
        participants.deliverAudio(resourceId, trackId, {
          sequenceNumber: packet.header.sequenceNumber,
          timestamp: packet.header.timestamp,
          payload: packet.payload,
          receivedAtMs: Date.now(),
        }),
      onVideoRtp: () => participants.countVideo(resourceId),
      onStateChange: (state) => this.publicationStateChanged(resourceId, state),
    });
    const sdp = await negotiate(peer, offer);
    const publication: Publication = { resourceId, participantId: claims.jti, stageArn: claims.resource, peer };
    this.publications.set(resourceId, publication);
    participants.publish(
      { participantId: claims.jti, stageArn: claims.resource, ...(claims.user_id ? { userId: claims.user_id } : {}), attributes: claims.attributes ?? {}, resourceId, route },
      this.now(),
    );
    participants.setState(resourceId, 'connecting');
    publication.connectTimer = setTimeout(() => {
      if (participants.publication(resourceId)?.state !== 'connected') void this.endPublication(resourceId, 'CONNECT_TIMEOUT');
    }, this.connectTimeoutMs);
    publication.connectTimer.unref();
    return { resourceId, sdp, etag: etag() };
  }

  /** Takes a subscriber's offer for a remote participant's publication on the token's stage, and forwards it. */
  async subscribe(claims: StageParticipantClaims, remoteParticipantId: string, offer: string): Promise<MediaAnswer> {
    if (!claims.capabilities.allow_subscribe) throw new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, 'The participant token does not allow subscribing');
    const remote = this.options.participants.publicationOf(remoteParticipantId);
    const publication = remote && remote.stageArn === claims.resource ? this.publications.get(remote.resourceId) : undefined;
    if (!publication) throw new StageHttpError(404, WHIP_ERROR.REMOTE_STREAM_NOT_FOUND, 'The participant does not publish on this stage');
    checked(() => checkSubscribeOffer(offer));
    const resourceId = randomUUID();
    const peer = (this.options.createSubscription ?? ((id, source, callbacks) => new WhipSubscription(id, source, callbacks)))(resourceId, publication.peer, {
      onStateChange: (state) => this.subscriptionStateChanged(resourceId, state),
    });
    const sdp = await negotiate(peer, offer);
    if (!this.publications.has(publication.resourceId)) {
      await peer.close().catch(() => undefined);
      throw new StageHttpError(404, WHIP_ERROR.REMOTE_STREAM_NOT_FOUND, 'The participant stopped publishing');
    }
    // The subscriber learns of the answer only now: its peer cannot have connected before it is listed.
    const subscription: Subscription = { resourceId, participantId: claims.jti, publicationId: publication.resourceId, peer, connected: false };
    this.subscriptions.set(resourceId, subscription);
    subscription.connectTimer = setTimeout(() => {
      if (!subscription.connected) void this.endSubscription(resourceId);
    }, this.connectTimeoutMs);
    subscription.connectTimer.unref();
    return { resourceId, sdp, etag: etag() };
  }

  /**
   * IVS's playback controls of a subscription of the token's participant (the subscribe answer's Link
   * `urn:ietf:params:whep:core:playback-controls`): `{pause: [mid]}` stops forwarding those media sections,
   * `{play: [mid]}` forwards them again. The web SDK pauses video for an audio-only subscription.
   */
  playback(claims: StageParticipantClaims, resourceId: string, request: unknown): void {
    const subscription = this.ownedSubscription(claims, resourceId);
    const { pause, play } = parsePlaybackRequest(request);
    try {
      subscription.peer.setForwarding({ pause, play });
    } catch (error) {
      if (error instanceof UnknownMediaSectionError) throw new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, error.message);
      throw error;
    }
  }

  /**
   * The layers of a subscription of the token's participant (the Link `urn:ietf:params:whep:ext:core:layer`):
   * the local stage takes no simulcast, so there are none to list (GET) and none to choose (POST
   * `{mediaId, encodingId}` answers 400); POST `{}`, back to the server's choice, is accepted.
   */
  layers(claims: StageParticipantClaims, resourceId: string, request?: unknown): { layers: [] } | undefined {
    this.ownedSubscription(claims, resourceId);
    if (request === undefined) return { layers: [] };
    if (!isPlainObject(request)) throw new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, 'A layer request must be {mediaId, encodingId} or {}');
    if (Object.keys(request).length > 0) {
      const encoding = typeof request.encodingId === 'string' ? ` "${request.encodingId.slice(0, 64)}"` : '';
      throw new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, `The publication has no layer${encoding}: the local stage takes no simulcast`);
    }
    return undefined;
  }

  /** Ends a publication or a subscription of the token's participant (`DELETE <Location>`). */
  async delete(claims: StageParticipantClaims, resourceId: string): Promise<void> {
    const owner = this.publications.get(resourceId)?.participantId ?? this.subscriptions.get(resourceId)?.participantId;
    if (owner === undefined) throw new StageHttpError(404, WHIP_ERROR.REMOTE_STREAM_NOT_FOUND, 'No such WHIP resource');
    if (owner !== claims.jti) throw new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, 'The WHIP resource belongs to another participant');
    if (this.publications.has(resourceId)) await this.endPublication(resourceId, 'DELETED');
    else await this.endSubscription(resourceId);
  }

  /** Ends everything a participant publishes and receives (DisconnectParticipant). */
  async endParticipant(participantId: string, reason: UnpublishReason): Promise<void> {
    const ends = [...this.publications.values()].filter((p) => p.participantId === participantId).map((p) => this.endPublication(p.resourceId, reason));
    const subs = [...this.subscriptions.values()].filter((s) => s.participantId === participantId).map((s) => this.endSubscription(s.resourceId));
    await Promise.all([...ends, ...subs]);
  }

  /** Ends every publication of a stage, and with them every subscription (each forwards a publication). */
  async endStage(stageArn: string, reason: UnpublishReason): Promise<void> {
    await Promise.all([...this.publications.values()].filter((p) => p.stageArn === stageArn).map((p) => this.endPublication(p.resourceId, reason)));
  }

  /** Resource ids of the subscriptions (tests). */
  subscriptionIds(): string[] {
    return [...this.subscriptions.keys()];
  }

  /** Ends every publication and subscription (the stage shuts down). */
  async close(): Promise<void> {
    await Promise.all([
      ...[...this.subscriptions.keys()].map((id) => this.endSubscription(id)),
      ...[...this.publications.keys()].map((id) => this.endPublication(id, 'STAGE_CLOSED')),
    ]);
  }

  /** A subscription of the token's participant: 404 when there is none, 403 when it is another's. */
  private ownedSubscription(claims: StageParticipantClaims, resourceId: string): Subscription {
    const subscription = this.subscriptions.get(resourceId);
    if (!subscription) throw new StageHttpError(404, WHIP_ERROR.REMOTE_STREAM_NOT_FOUND, 'No such subscription');
    if (subscription.participantId !== claims.jti) throw new StageHttpError(403, WHIP_ERROR.NO_PERMISSIONS, 'The subscription belongs to another participant');
    return subscription;
  }

  private publicationStateChanged(resourceId: string, state: ParticipantConnectionState): void {
    if (!this.publications.has(resourceId)) return;
    this.options.participants.setState(resourceId, state);
    if (state === 'failed') void this.endPublication(resourceId, 'CONNECTION_FAILED');
    else if (state === 'closed') void this.endPublication(resourceId, 'CONNECTION_CLOSED');
  }

  private subscriptionStateChanged(resourceId: string, state: ParticipantConnectionState): void {
    const subscription = this.subscriptions.get(resourceId);
    if (!subscription) return;
    if (state === 'connected') subscription.connected = true;
    if (state === 'failed' || state === 'closed') void this.endSubscription(resourceId);
  }

  private async endPublication(resourceId: string, reason: UnpublishReason): Promise<void> {
    const publication = this.publications.get(resourceId);
    if (!publication) return;
    this.publications.delete(resourceId);
    clearTimeout(publication.connectTimer);
    this.options.participants.unpublish(resourceId, reason, this.now());
    const forwarded = [...this.subscriptions.values()].filter((s) => s.publicationId === resourceId);
    await Promise.all([
      ...forwarded.map((s) => this.endSubscription(s.resourceId)),
      publication.peer.close().catch((error: unknown) => this.options.onError?.('A publication did not close', error)),
    ]);
  }

  private async endSubscription(resourceId: string): Promise<void> {
    const subscription = this.subscriptions.get(resourceId);
    if (!subscription) return;
    this.subscriptions.delete(resourceId);
    clearTimeout(subscription.connectTimer);
    await subscription.peer.close().catch((error: unknown) => this.options.onError?.('A subscription did not close', error));
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** Most mids one playback request may name. */
const MAX_PLAYBACK_MIDS = 16;

/** Checks a playback request: `{pause?: [mid], play?: [mid]}` with at least one mid, no mid in both. */
function parsePlaybackRequest(request: unknown): { pause: string[]; play: string[] } {
  const refuse = (detail: string) => new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, `A playback request must be {pause: [mid]} or {play: [mid]}: ${detail}`);
  if (!isPlainObject(request)) throw refuse('not an object');
  const unknown = Object.keys(request).find((key) => key !== 'pause' && key !== 'play');
  if (unknown !== undefined) throw refuse(`unknown field "${unknown.slice(0, 32)}"`);
  const mids = (key: 'pause' | 'play'): string[] => {
    const value = request[key] ?? [];
    if (!Array.isArray(value) || value.length > MAX_PLAYBACK_MIDS || !value.every((mid) => typeof mid === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(mid))) {
      throw refuse(`${key} must be a list of at most ${MAX_PLAYBACK_MIDS} mids`);
    }
    return value as string[];
  };
  const pause = mids('pause');
  const play = mids('play');
  if (pause.length + play.length === 0) throw refuse('no mid');
  if (pause.some((mid) => play.includes(mid))) throw refuse('a mid both paused and played');
  return { pause, play };
}

/** Runs an offer check, turning its refusal into the HTTP error IVS answers. */
function checked(check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof InvalidOfferError)) throw error;
    throw new StageHttpError(400, error.reason === 'NO_MATCHING_CODEC' ? WHIP_ERROR.NO_MATCHING_CODEC : WHIP_ERROR.UNSPECIFIED, error.message);
  }
}

/** Lets a peer answer an offer; closes it and answers 400 when the offer cannot be negotiated. */
async function negotiate(peer: { answer(offer: string): Promise<string>; close(): Promise<void> }, offer: string): Promise<string> {
  try {
    return await peer.answer(offer);
  } catch (error) {
    await peer.close().catch(() => undefined);
    // werift's messages describe the SDP, never the token: safe to return (shortened).
    const detail = error instanceof Error ? `: ${error.message.slice(0, 200)}` : '';
    throw new StageHttpError(400, WHIP_ERROR.UNSPECIFIED, `The offer could not be negotiated${detail}`);
  }
}

function etag(): string {
  return `"${randomBytes(8).toString('hex')}"`;
}
