/**
 * The IVS control plane's state: stages, the participants their tokens were issued for, compositions and
 * configurations. Kept in one JSON file in the data dir, rewritten atomically after each change, so it
 * survives a restart of the local cloud. Participant tokens themselves are never stored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Tags = Record<string, string>;

export interface StageRecord {
  arn: string;
  id: string;
  name: string;
  tags: Tags;
  autoParticipantRecordingConfiguration?: unknown;
  createdAt: string;
}

export type ParticipantCapability = 'PUBLISH' | 'SUBSCRIBE';

/** What was issued with a participant token (never the token). */
export interface ParticipantRecord {
  participantId: string;
  stageArn: string;
  userId?: string;
  attributes: Record<string, string>;
  capabilities: ParticipantCapability[];
  duration: number;
  issuedAt: string;
  expirationTime: string;
  /** When DisconnectParticipant removed it (its token is refused from then on). */
  disconnectedAt?: string;
  disconnectReason?: string;
}

export type CompositionState = 'STARTING' | 'ACTIVE' | 'STOPPING' | 'STOPPED' | 'FAILED';
export type DestinationState = 'STARTING' | 'ACTIVE' | 'STOPPING' | 'STOPPED' | 'FAILED' | 'RECONNECTING';

export interface DestinationConfiguration {
  name: string;
  channel?: { channelArn: string; encoderConfigurationArn?: string };
  s3?: {
    storageConfigurationArn: string;
    encoderConfigurationArns: string[];
    recordingConfiguration: { format: 'HLS'; hlsConfiguration?: { targetSegmentDurationSeconds?: number } };
    thumbnailConfigurations?: unknown[];
  };
}

export interface DestinationRecord {
  id: string;
  state: DestinationState;
  startTime?: string;
  endTime?: string;
  configuration: DestinationConfiguration;
  detail?: { s3: { recordingPrefix: string } };
}

export interface CompositionRecord {
  arn: string;
  id: string;
  stageArn: string;
  state: CompositionState;
  layout: Record<string, unknown>;
  destinations: DestinationRecord[];
  tags: Tags;
  startTime: string;
  endTime?: string;
  idempotencyToken?: string;
  /** Why it FAILED (local only; IVS reports it in the Session Failure event). */
  failureReason?: string;
}

export interface StorageConfigurationRecord {
  arn: string;
  name: string;
  s3: { bucketName: string };
  tags: Tags;
}

export interface EncoderConfigurationRecord {
  arn: string;
  name: string;
  video: { width: number; height: number; framerate: number; bitrate: number };
  tags: Tags;
}

interface IvsState {
  version: 1;
  stages: Record<string, StageRecord>;
  participants: Record<string, ParticipantRecord>;
  compositions: Record<string, CompositionRecord>;
  storageConfigurations: Record<string, StorageConfigurationRecord>;
  encoderConfigurations: Record<string, EncoderConfigurationRecord>;
}

const emptyState = (): IvsState => ({
  version: 1,
  stages: {},
  participants: {},
  compositions: {},
  storageConfigurations: {},
  encoderConfigurations: {},
});

/** Raised when the state file exists but cannot be read back. */
export class IvsStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IvsStoreError';
  }
}

/** The durable state of the local IVS control plane. */
export class IvsStore {
  private constructor(
    private readonly file: string,
    private readonly state: IvsState,
  ) {}

  /** Opens (or starts) the state kept under `<dataDir>/ivs/`. */
  static open(dataDir: string): IvsStore {
    const dir = join(dataDir, 'ivs');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'state.json');
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new IvsStoreError(`Cannot read ${file}`, { cause: error });
    }
    if (text === undefined) return new IvsStore(file, emptyState());
    try {
      return new IvsStore(file, { ...emptyState(), ...(JSON.parse(text) as IvsState) });
    } catch (error) {
      throw new IvsStoreError(`The IVS state file ${file} is not valid JSON`, { cause: error });
    }
  }

  get stages(): Record<string, StageRecord> {
    return this.state.stages;
  }
  get participants(): Record<string, ParticipantRecord> {
    return this.state.participants;
  }
  get compositions(): Record<string, CompositionRecord> {
    return this.state.compositions;
  }
  get storageConfigurations(): Record<string, StorageConfigurationRecord> {
    return this.state.storageConfigurations;
  }
  get encoderConfigurations(): Record<string, EncoderConfigurationRecord> {
    return this.state.encoderConfigurations;
  }

  /** The tagged resource an ARN names, whatever its type. */
  taggable(arn: string): { tags: Tags } | undefined {
    return (
      this.state.stages[arn] ??
      this.state.compositions[arn] ??
      this.state.storageConfigurations[arn] ??
      this.state.encoderConfigurations[arn]
    );
  }

  /** Writes the state to disk (temporary file, then rename: a crash never leaves half a file). */
  save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    renameSync(tmp, this.file);
  }
}
