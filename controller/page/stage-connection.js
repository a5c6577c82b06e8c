/**
 * The one interface through which the page reaches the stage, and the factory that picks its
 * implementation from the configured transport (the only place that choice is made).
 *
 * @typedef {'disconnected' | 'connecting' | 'connected' | 'errored'} StageState
 * @typedef {{ join(token: string): Promise<void>, leave(): Promise<void>, readonly state: StageState }} StageConnection
 * @typedef {{ audioTrack: MediaStreamTrack, videoTrack: MediaStreamTrack }} PublishedTracks
 */
import { IvsSdkConnection } from './ivs-sdk-connection.js';
import { WhipConnection } from './whip-connection.js';

/**
 * Builds the stage connection for a transport.
 * @param {'ivs-sdk' | 'whip'} transport
 * @param {PublishedTracks} tracks
 * @returns {StageConnection}
 */
export function createStageConnection(transport, tracks) {
  if (transport === 'ivs-sdk') return new IvsSdkConnection(tracks);
  if (transport === 'whip') return new WhipConnection(tracks);
  throw new Error(`Unknown stage transport: ${transport}`);
}
