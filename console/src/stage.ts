/**
 * The host on the stage: the microphone and a small video tile published through the controller's
 * StageConnection (controller/page): WHIP into the local stage, the IVS web SDK on AWS.
 */
import { createStageConnection } from '../../controller/page/stage-connection.js';
import { VideoTile } from '../../controller/page/video-tile.js';
import { jwtPayload } from './auth.ts';

/** One publisher on the stage, as the local stage lists it. */
export interface StageParticipantView {
  participantId: string;
  displayName?: string;
  role?: string;
  state: string;
  self: boolean;
}

interface WhipRequest {
  method: 'POST' | 'DELETE';
  url: string;
  token: string;
  body?: string;
}

/** What the controller's WhipConnection calls to reach the WHIP endpoint; in a browser, plain fetch. */
async function whipRequest(request: WhipRequest) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: { authorization: `Bearer ${request.token}`, ...(request.body ? { 'content-type': 'application/sdp' } : {}) },
    ...(request.body ? { body: request.body } : {}),
  });
  return { status: response.status, location: response.headers.get('location'), body: await response.text(), url: response.url };
}

/** Loads the IVS web SDK (a large chunk, only on AWS) where the controller's IvsSdkConnection looks for it. */
async function loadIvsSdk(): Promise<void> {
  const globals = window as unknown as { IVSBroadcastClient?: unknown };
  if (globals.IVSBroadcastClient) return;
  const module = (await import('amazon-ivs-web-broadcast')) as unknown as { default?: unknown };
  globals.IVSBroadcastClient = module.default ?? module;
}

/** The loudness of an analyser's input now (RMS, 0 to 1). */
function levelOf(analyser: AnalyserNode, buffer: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(buffer);
  let sum = 0;
  for (const sample of buffer) sum += sample * sample;
  return Math.sqrt(sum / buffer.length);
}

export class HostStage {
  private connection: ReturnType<typeof createStageConnection> | undefined;
  private microphone: MediaStream | undefined;
  private tile: VideoTile | undefined;
  private audioContext: AudioContext | undefined;
  private participantToken: string | undefined;

  constructor(
    private readonly transport: 'whip' | 'ivs-sdk',
    private readonly canvas: HTMLCanvasElement,
    private readonly describe: () => { title: string; programId: string | null; state: string; positionSeconds: number; durationSeconds: number | null },
  ) {}

  get joined(): boolean {
    return this.connection !== undefined;
  }

  /** Opens the microphone and publishes it with the tile under a participant token; resolves once connected. */
  async join(participantToken: string): Promise<void> {
    if (this.connection) return;
    (window as unknown as { shelcasterWhipRequest: typeof whipRequest }).shelcasterWhipRequest = whipRequest;
    if (this.transport === 'ivs-sdk') await loadIvsSdk();
    try {
      // Raw microphone: no processing that would reshape the host's voice before the mix.
      this.microphone = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (error) {
      throw new Error(`The microphone could not be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const audioTrack = this.microphone.getAudioTracks()[0];
    if (!audioTrack) throw new Error('The microphone gave no audio track.');
    this.audioContext = new AudioContext();
    const analyser = this.audioContext.createAnalyser();
    this.audioContext.createMediaStreamSource(this.microphone).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.tile = new VideoTile(this.canvas, () => ({ ...this.describe(), level: levelOf(analyser, samples) }));
    const videoTrack = this.tile.videoTrack;
    if (!videoTrack) throw new Error('The video tile gave no video track.');
    const connection = createStageConnection(this.transport, { audioTrack, videoTrack });
    this.connection = connection;
    this.participantToken = participantToken;
    try {
      await connection.join(participantToken);
    } catch (error) {
      await this.leave();
      throw error;
    }
  }

  /** Leaves the stage and releases the microphone. */
  async leave(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.participantToken = undefined;
    await connection?.leave().catch(() => undefined);
    this.tile?.close();
    this.tile = undefined;
    for (const track of this.microphone?.getTracks() ?? []) track.stop();
    this.microphone = undefined;
    await this.audioContext?.close().catch(() => undefined);
    this.audioContext = undefined;
  }

  /** Who publishes on the stage (the local stage's list); undefined where the stage has no such list (IVS). */
  async participants(): Promise<StageParticipantView[] | undefined> {
    if (this.transport !== 'whip' || !this.participantToken) return undefined;
    const whipUrl = jwtPayload(this.participantToken).whip_url;
    if (typeof whipUrl !== 'string') return undefined;
    const response = await fetch(whipUrl.replace(/\/whip$/, '/participants'), { headers: { authorization: `Bearer ${this.participantToken}` } });
    if (!response.ok) throw new Error(`The stage did not list its participants (HTTP ${response.status}).`);
    return ((await response.json()) as { participants: StageParticipantView[] }).participants;
  }
}
