/**
 * StageConnection over the IVS web broadcast SDK (window.IVSBroadcastClient): publishes the program's
 * audio track and the video tile, subscribes to no one.
 */

export class IvsSdkConnection {
  /** @param {import('./stage-connection.js').PublishedTracks} tracks */
  constructor(tracks) {
    this.tracks = tracks;
    /** @type {import('./stage-connection.js').StageState} */
    this.state = 'disconnected';
    this.stage = null;
  }

  /** Joins the stage and resolves once the SDK reports the connection as connected. */
  async join(token) {
    const sdk = /** @type {any} */ (window).IVSBroadcastClient;
    if (!sdk) throw new Error('The IVS web broadcast SDK did not load');
    const { Stage, LocalStageStream, SubscribeType, StageEvents } = sdk;
    const streams = [new LocalStageStream(this.tracks.audioTrack), new LocalStageStream(this.tracks.videoTrack)];
    const strategy = {
      stageStreamsToPublish: () => streams,
      shouldPublishParticipant: () => true,
      shouldSubscribeToParticipant: () => SubscribeType.NONE,
    };
    this.stage = new Stage(token, strategy);
    this.state = 'connecting';
    const connected = new Promise((resolve, reject) => {
      this.stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state) => {
        this.state = state;
        if (state === 'connected') resolve(undefined);
        if (state === 'errored') reject(new Error('The IVS stage connection errored'));
      });
    });
    await this.stage.join();
    await connected;
  }

  /** Leaves the stage. */
  async leave() {
    if (this.stage) this.stage.leave();
    this.stage = null;
    this.state = 'disconnected';
  }
}
