/**
 * StageConnection over WHIP (RFC 9725): one sendonly PeerConnection with the program's audio (Opus)
 * and the video tile (H.264 preferred: IVS refuses offers without H.264). Non-trickle: the offer is
 * sent once ICE gathering is complete. The HTTP exchange goes through the controller
 * (window.shelcasterWhipRequest), which follows redirects and re-sends the bearer token.
 */
import { jwtClaims } from './jwt-claims.js';

const ICE_GATHERING_TIMEOUT_MS = 5000;
const CONNECT_TIMEOUT_MS = 20000;

/**
 * @typedef {{ method: 'POST' | 'DELETE', url: string, token: string, body?: string }} WhipRequest
 * @typedef {{ status: number, location: string | null, body: string, url: string }} WhipResponse
 */

export class WhipConnection {
  /** @param {import('./stage-connection.js').PublishedTracks} tracks */
  constructor(tracks) {
    this.tracks = tracks;
    /** @type {import('./stage-connection.js').StageState} */
    this.state = 'disconnected';
    /** @type {RTCPeerConnection | null} */
    this.pc = null;
    this.resourceUrl = null;
    this.token = null;
  }

  /** Publishes to the token's whip_url and resolves once the peer connection is connected. */
  async join(token) {
    const whipUrl = jwtClaims(token).whip_url;
    if (typeof whipUrl !== 'string' || !whipUrl) throw new Error('The participant token has no whip_url claim');
    this.token = token;
    this.state = 'connecting';
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.pc = pc;
    const stream = new MediaStream([this.tracks.audioTrack, this.tracks.videoTrack]);
    const audio = pc.addTransceiver(this.tracks.audioTrack, { direction: 'sendonly', streams: [stream] });
    const video = pc.addTransceiver(this.tracks.videoTrack, { direction: 'sendonly', streams: [stream] });
    preferCodec(audio, 'audio', 'audio/opus');
    preferCodec(video, 'video', 'video/H264');

    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringComplete(pc);
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error('No local offer');

    const request = /** @type {any} */ (window).shelcasterWhipRequest;
    /** @type {WhipResponse} */
    const response = await request({ method: 'POST', url: whipUrl, token, body: offer });
    if (response.status !== 201) {
      this.state = 'errored';
      throw new Error(`WHIP endpoint refused the offer: HTTP ${response.status} ${response.body.slice(0, 200)}`);
    }
    this.resourceUrl = response.location ? new URL(response.location, response.url).href : null;
    const connected = waitConnected(pc, (state) => (this.state = state));
    await pc.setRemoteDescription({ type: 'answer', sdp: response.body });
    await connected;
  }

  /** Closes the peer connection and deletes the WHIP resource. */
  async leave() {
    const pc = this.pc;
    this.pc = null;
    if (pc) pc.close();
    this.state = 'disconnected';
    if (this.resourceUrl && this.token) {
      const request = /** @type {any} */ (window).shelcasterWhipRequest;
      const url = this.resourceUrl;
      this.resourceUrl = null;
      await request({ method: 'DELETE', url, token: this.token }).catch(() => undefined);
    }
  }
}

/** Puts the codecs of one MIME type first (and keeps only those plus their RTX/FEC helpers). */
function preferCodec(transceiver, kind, mimeType) {
  const capabilities = RTCRtpSender.getCapabilities(kind);
  if (!capabilities) return;
  const preferred = capabilities.codecs.filter((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase());
  if (preferred.length === 0) throw new Error(`This browser cannot send ${mimeType}`);
  const helpers = capabilities.codecs.filter((c) => /\/(rtx|red|ulpfec)$/i.test(c.mimeType));
  transceiver.setCodecPreferences([...preferred, ...(kind === 'video' ? helpers : [])]);
}

/** Resolves when ICE gathering is complete, or after a bound (what is gathered by then is sent). */
function iceGatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ICE_GATHERING_TIMEOUT_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
}

/** Resolves when the connection is connected; rejects when it fails or takes too long. */
function waitConnected(pc, onState) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WHIP connection timed out')), CONNECT_TIMEOUT_MS);
    pc.addEventListener('connectionstatechange', () => {
      const s = pc.connectionState;
      if (s === 'connected') {
        onState('connected');
        clearTimeout(timer);
        resolve(undefined);
      } else if (s === 'failed' || s === 'closed') {
        onState(s === 'failed' ? 'errored' : 'disconnected');
        clearTimeout(timer);
        reject(new Error(`WHIP connection ${s}`));
      } else if (s === 'disconnected') {
        onState('connecting');
      }
    });
  });
}
