/**
 * Being on the stage from the console's pages (the host's, and the caller's): the microphone published
 * (with, for the host, a small video tile), everyone else heard, and a level for each participant. Joins
 * with the IVS web SDK through the StageSession shared with the program controller (stage-client/), on AWS
 * and on the local stage alike.
 */
import { StageSession } from '#stage-client/stage-session';
import { StageAudio } from '#stage-client/stage-audio';
import { VideoTile } from '#stage-client/video-tile';

/** One participant as the pages list them. */
export interface StageParticipantView {
  participantId: string;
  name: string;
  role?: string;
  isPublishing: boolean;
  self: boolean;
  /** Loudness of what is heard of it (of the microphone, for oneself), RMS 0 to 1. */
  level: number;
}

/** What the tile shows (the host's page). */
export type TileInfo = () => { title: string; programId: string | null; state: string; positionSeconds: number; durationSeconds: number | null };

/** Loads the IVS web SDK (a large chunk, fetched when a page joins). */
async function loadIvsSdk(): Promise<unknown> {
  const module = (await import('amazon-ivs-web-broadcast')) as unknown as { default?: unknown };
  return module.default ?? module;
}

/** A readable name for a participant from its token's attributes. */
export function participantName(attributes: Record<string, string>, participantId: string): string {
  if (attributes.role === 'CONTROLLER') return 'Program';
  return attributes.displayName || `Participant ${participantId}`;
}

/** Why the page left the stage, in words. */
export function leftReason(reason: string): string {
  switch (reason) {
    case 'stage-deleted':
      return 'The show has ended.';
    case 'participant-disconnected':
      return 'You were removed from the stage.';
    case 'token-reused':
      return 'This link was opened somewhere else; this page left the stage.';
    default:
      return 'You left the stage.';
  }
}

/**
 * What the page asks of the microphone. Through speakers, a microphone picks up the show the page plays (the
 * program and the other voices): echo cancellation takes that out, so the show neither goes back on air
 * through it nor counts as this participant speaking (which would duck the bed); noise suppression and
 * automatic gain keep a laptop's microphone usable. With headphones there is no such echo, and the voice goes
 * as it is, with nothing reshaping it before the mix (a studio microphone; a recorded voice played as one).
 */
export function microphoneConstraints(headphones: boolean): MediaTrackConstraints {
  const processed = !headphones;
  return { echoCancellation: processed, noiseSuppression: processed, autoGainControl: processed };
}

/** What the browser applies to the microphone (its track's settings), while on the stage. */
export type MicrophoneProcessing = Pick<MediaTrackSettings, 'echoCancellation' | 'noiseSuppression' | 'autoGainControl'>;

export class OnStage {
  private session: StageSession | undefined;
  private audio: StageAudio | undefined;
  private microphone: MediaStream | undefined;
  private tile: VideoTile | undefined;
  private selfId = 'self';

  constructor(
    private readonly options: {
      /** Where the host's tile is drawn (the caller publishes audio only). */
      tile?: { canvas: HTMLCanvasElement; describe: TileInfo };
      /** Told when the list of participants changes. */
      onParticipants?: () => void;
      /** Told when the stage ends the session (the stage was deleted, the participant removed, ...). */
      onLeft?: (reason: string) => void;
    } = {},
  ) {}

  get joined(): boolean {
    return this.session !== undefined;
  }

  /**
   * Opens the microphone (processed against echo unless the participant wears headphones), joins with the
   * participant token, publishes, and hears everyone.
   */
  async join(participantToken: string, options: { headphones?: boolean } = {}): Promise<void> {
    if (this.session) return;
    // The audio context is made here, in the user's click, so browsers let it play.
    const audio = new StageAudio();
    this.audio = audio;
    await audio.resume();
    const sdk = await loadIvsSdk();
    try {
      this.microphone = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(options.headphones === true) });
    } catch (error) {
      await this.leave();
      throw new Error(`The microphone could not be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const microphoneTrack = this.microphone.getAudioTracks()[0];
    if (!microphoneTrack) throw new Error('The microphone gave no audio track.');
    audio.addLocal(this.selfId, microphoneTrack);
    const publish: MediaStreamTrack[] = [microphoneTrack];
    const tileOptions = this.options.tile;
    if (tileOptions) {
      this.tile = new VideoTile(tileOptions.canvas, () => ({ ...tileOptions.describe(), level: audio.levels().get(this.selfId) ?? 0 }));
      const videoTrack = this.tile.videoTrack;
      if (videoTrack) publish.push(videoTrack);
    }
    const session = new StageSession(sdk, { publish, subscribe: 'audio' });
    this.session = session;
    session.on('participants', () => this.options.onParticipants?.());
    session.on('streams-added', (participant: { id: string }, tracks: MediaStreamTrack[]) => {
      const track = tracks.find((t) => t.kind === 'audio');
      if (track) audio.add(participant.id, track);
    });
    session.on('streams-removed', (participant: { id: string }) => audio.remove(participant.id));
    session.on('left', (reason: string) => {
      if (reason === 'user-initiated') return;
      void this.leave().then(() => this.options.onLeft?.(reason));
    });
    try {
      await session.join(participantToken);
    } catch (error) {
      await this.leave();
      throw error;
    }
  }

  /** What the browser applies to the microphone now; undefined when not on the stage. */
  microphoneProcessing(): MicrophoneProcessing | undefined {
    const settings = this.microphone?.getAudioTracks()[0]?.getSettings();
    if (!settings) return undefined;
    return { echoCancellation: settings.echoCancellation, noiseSuppression: settings.noiseSuppression, autoGainControl: settings.autoGainControl };
  }

  /** Leaves the stage, stops hearing it and releases the microphone. */
  async leave(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.leave().catch(() => undefined);
    this.tile?.close();
    this.tile = undefined;
    for (const track of this.microphone?.getTracks() ?? []) track.stop();
    this.microphone = undefined;
    await this.audio?.close();
    this.audio = undefined;
  }

  /** Everyone on the stage, oneself first, with their levels. */
  participants(): StageParticipantView[] {
    if (!this.session) return [];
    const levels = this.audio?.levels() ?? new Map<string, number>();
    return [...this.session.participants.values()]
      .map((p) => ({
        participantId: p.id,
        name: participantName(p.attributes, p.id),
        ...(p.attributes.role ? { role: p.attributes.role } : {}),
        isPublishing: p.isPublishing,
        self: p.isLocal,
        level: (p.isLocal ? levels.get(this.selfId) : levels.get(p.id)) ?? 0,
      }))
      .sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
  }

  /** What is heard of one participant, for measuring (tests, meters). */
  tap(participantId: string): { context: AudioContext; node: AudioNode } | undefined {
    const node = this.audio?.tap(participantId);
    return node && this.audio ? { context: this.audio.context, node } : undefined;
  }
}
