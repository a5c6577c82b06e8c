/**
 * One participant on an IVS real-time stage, through the IVS web broadcast SDK (`amazon-ivs-web-broadcast`):
 * the one way the program controller's page, the host console and the caller page reach a stage, on AWS and
 * on the local stage alike. The SDK object is passed in (the controller's page loads the UMD bundle, the
 * console's bundler imports the module), so this file depends on no global.
 *
 * `join()` resolves once the stage is joined and, when there is something to publish, once the SDK reports
 * the local participant PUBLISHED; it rejects with the SDK's error (its `code` and `details`, e.g.
 * `JOIN_ERROR: TOKEN_EXPIRED`). Events (`on(name, listener)`):
 * - `participants` (list of `{ id, userId, attributes, isLocal, isPublishing }`) whenever someone joins,
 *   leaves or changes publish state;
 * - `streams-added` (participant, `MediaStreamTrack[]`) / `streams-removed` (participant, tracks): remote
 *   media the strategy subscribed to;
 * - `left` (reason: `user-initiated`, `stage-deleted`, `participant-disconnected`, `token-reused`, ...);
 * - `error` (the SDK's error).
 *
 * @typedef {'none' | 'audio' | 'audio-video'} SubscribeMode
 * @typedef {{ id: string, userId: string, attributes: Record<string, string>, isLocal: boolean, isPublishing: boolean }} ParticipantView
 */

export class StageSession {
  /**
   * @param {any} sdk the IVS web broadcast SDK (window.IVSBroadcastClient or the module's default export)
   * @param {{ publish?: MediaStreamTrack[], subscribe?: SubscribeMode }} options
   */
  constructor(sdk, options) {
    if (!sdk || typeof sdk.Stage !== 'function') throw new Error('The IVS web broadcast SDK did not load');
    this.sdk = sdk;
    this.publishTracks = options.publish ?? [];
    this.subscribe = options.subscribe ?? 'none';
    /** @type {'disconnected' | 'connecting' | 'connected' | 'errored'} */
    this.state = 'disconnected';
    /** @type {Map<string, ParticipantView>} */
    this.participants = new Map();
    /** @type {Map<string, Set<Function>>} */
    this.listeners = new Map();
    /** @type {any} */
    this.stage = null;
    /** How long the last join took (ms): until the stage was joined, and until published. */
    this.timings = { joinedMs: NaN, publishedMs: NaN };
  }

  /** @param {'participants' | 'streams-added' | 'streams-removed' | 'left' | 'error'} event @param {Function} listener */
  on(event, listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(listener);
    return () => this.listeners.get(event)?.delete(listener);
  }

  /**
   * Joins with a participant token; resolves once joined and (when publishing) published.
   * @param {string} token
   */
  async join(token) {
    const { Stage, LocalStageStream, SubscribeType, StageEvents } = this.sdk;
    const streams = this.publishTracks.map((track) => new LocalStageStream(track));
    const subscribeType = { none: SubscribeType.NONE, audio: SubscribeType.AUDIO_ONLY, 'audio-video': SubscribeType.AUDIO_VIDEO }[this.subscribe];
    const strategy = {
      stageStreamsToPublish: () => streams,
      shouldPublishParticipant: () => streams.length > 0,
      shouldSubscribeToParticipant: () => subscribeType,
    };
    const stage = new Stage(token, strategy);
    this.stage = stage;
    this.state = 'connecting';
    /** @type {(value?: unknown) => void} */ let published = () => {};
    /** @type {(error: unknown) => void} */ let notPublished = () => {};
    /** @type {unknown} */ let lastError;
    const publishedOnce = new Promise((resolve, reject) => {
      published = resolve;
      notPublished = reject;
    });
    stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (/** @type {any} */ state) => {
      this.state = state;
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_JOINED, (/** @type {any} */ p) => this.upsert(p));
    stage.on(StageEvents.STAGE_PARTICIPANT_LEFT, (/** @type {any} */ p) => {
      this.participants.delete(p.id);
      this.emit('participants', [...this.participants.values()]);
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (/** @type {any} */ p, /** @type {string} */ state) => {
      this.upsert({ ...p, isPublishing: state === 'published' });
      if (!p.isLocal) return;
      if (state === 'published') published();
      // The SDK reports the reason (an ERROR event) just after the state: let it arrive first.
      if (state === 'errored') setTimeout(() => notPublished(lastError ?? new Error('The stage refused to take what this participant publishes')));
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (/** @type {any} */ p, /** @type {any[]} */ added) => {
      if (!p.isLocal) this.emit('streams-added', p, added.map((s) => s.mediaStreamTrack));
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (/** @type {any} */ p, /** @type {any[]} */ removed) => {
      if (!p.isLocal) this.emit('streams-removed', p, removed.map((s) => s.mediaStreamTrack));
    });
    stage.on(StageEvents.STAGE_LEFT, (/** @type {string} */ reason) => {
      this.state = 'disconnected';
      notPublished(new Error(`The stage was left before publishing: ${reason}`));
      this.emit('left', reason);
    });
    stage.on(StageEvents.ERROR, (/** @type {any} */ error) => {
      lastError = error;
      if (error?.category === 'PUBLISH_ERROR') notPublished(error);
      this.emit('error', error);
    });
    const started = performance.now();
    try {
      await stage.join();
      this.timings.joinedMs = performance.now() - started;
      if (streams.length > 0) await publishedOnce;
      this.timings.publishedMs = performance.now() - started;
    } catch (error) {
      this.state = 'errored';
      this.stage = null;
      stage.leave();
      throw error;
    }
  }

  /** Leaves the stage (the SDK ends what it publishes and receives). */
  async leave() {
    const stage = this.stage;
    this.stage = null;
    this.state = 'disconnected';
    this.participants.clear();
    if (stage) stage.leave();
  }

  /** @param {any} p the SDK's participant info */
  upsert(p) {
    const known = this.participants.get(p.id);
    this.participants.set(p.id, {
      id: p.id,
      userId: p.userId ?? '',
      attributes: p.attributes ?? {},
      isLocal: Boolean(p.isLocal),
      isPublishing: p.isPublishing ?? known?.isPublishing ?? false,
    });
    this.emit('participants', [...this.participants.values()]);
  }

  /** @param {string} event @param {...unknown} args */
  emit(event, ...args) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}
