/**
 * The local IVS real-time control plane: the REST-JSON API that `@aws-sdk/client-ivs-realtime` speaks
 * (signing name `ivs`, `POST /CreateStage`, ..., `/tags/{resourceArn}`), with state kept in the data dir.
 *
 * Operations: CreateStage, GetStage, ListStages, DeleteStage, CreateParticipantToken, DisconnectParticipant, StartComposition,
 * GetComposition, ListCompositions, StopComposition, Create/Get/List/DeleteStorageConfiguration,
 * Create/Get/List/DeleteEncoderConfiguration, TagResource, UntagResource, ListTagsForResource.
 * Participant tokens are ES384 JWTs with IVS's claims; the local stage checks them with
 * `verifyParticipantToken` (which also refuses the tokens of deleted stages and disconnected participants),
 * and hears of DeleteStage and DisconnectParticipant (`onStageDeleted`, `onParticipantDisconnected`) to
 * disconnect whoever is on the stage. Compositions drive the injected CompositionRecorder and publish
 * `IVS Composition State Change` events to the injected EventPublisher.
 *
 * LIMITATIONS
 * - Not emulated: UpdateStage, GetParticipant/ListParticipants, stage sessions
 *   (`activeSessionId` is never set), participant events, ingest configurations, public keys (self-signed
 *   tokens), participant replication, individual participant recording (`autoParticipantRecordingConfiguration`
 *   is stored and echoed, nothing records), thumbnails, `IVS Stage Update` events, the 5 TPS API rate limit.
 * - Every stage reports the same `endpoints` (the local stage's WHIP and events URLs, as IVS's global ones
 *   are shared); there is no RTMP(S) ingest, so `endpoints.rtmp`/`rtmps` are absent.
 * - A composition goes ACTIVE as soon as the recorder has started (at once when no recorder is given: then
 *   compositions move through their states and record nothing). It never stops by itself: IVS's stop after
 *   60 s without participants and its 24 h limit are not emulated, and STOPPED compositions are kept
 *   (IVS deletes them a few minutes after they stop). Channel destinations go ACTIVE but broadcast nothing.
 *   At most one S3 destination per composition is recorded (the recorder records one prefix per composition).
 * - The S3 recording prefix is `<stageId>/<compositionId>/<destinationId>/composite`; IVS's documented
 *   examples show the last three parts the same way and do not settle the first.
 * - CreateStorageConfiguration does not check that the bucket exists.
 * - After a restart, compositions that were STARTING or ACTIVE are started again on the recorder (which
 *   resumes under the same prefix) and STOPPING ones are finished.
 */
import type { AwsRequest, AwsResponse, ServiceProvider } from '#local-cloud/gateway/provider';
import type { CompositionRecorder, EventPublisher } from '#local-cloud/gateway/internal';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { CompositionLifecycle } from './compositions.ts';
import { COMPOSITION_OPERATIONS, MAX_CONCURRENT_COMPOSITIONS } from './composition-operations.ts';
import { CONFIGURATION_OPERATIONS } from './configuration-operations.ts';
import { stageEndpointUrls, type IvsContext, type IvsOperation, type StageEndpointUrls } from './context.ts';
import { ivsError, restJsonError, restJsonOk } from './rest-json.ts';
import { STAGE_OPERATIONS } from './stage-operations.ts';
import { IvsStore } from './store.ts';
import { listTagsForResource, tagResource, untagResource } from './tag-operations.ts';
import { InvalidParticipantTokenError, ParticipantTokenSigner, type ParticipantTokenClaims } from './tokens.ts';
import { asObject, type Json } from './validation.ts';

export { InvalidParticipantTokenError, type ParticipantTokenClaims } from './tokens.ts';

/** The signing name of IVS real-time (the client's `signingName`). */
export const IVS_SIGNING_NAME = 'ivs';

export interface IvsProviderOptions {
  /** Where the state and the token key pair are kept. */
  dataDir: string;
  /** The local stage's base URL, e.g. `http://127.0.0.1:4566/_stage` (WHIP at `/whip`, events at `/events`). */
  stageBaseUrl: string;
  /** The local stage's mixer; without one, compositions change state and record nothing. */
  recorder?: CompositionRecorder;
  /** EventBridge's default bus, for `IVS Composition State Change` events. */
  events?: EventPublisher;
  /** Clock (tests). */
  now?: () => Date;
  /** Compositions that may run at once; IVS's default quota (MAX_CONCURRENT_COMPOSITIONS) unless raised. */
  compositionQuota?: number;
  /** Told about failures no API call can report (a recorder that failed). Never given a token. */
  onError?: (message: string, error: unknown) => void;
  /**
   * Resume the compositions of before a restart at once (default). The local cloud defers it until its
   * gateway answers, because the recorder writes to S3 through it, and calls `resumeCompositions()`.
   */
  resumeOnStart?: boolean;
}

/** The IVS provider, plus what the local stage needs of it. */
export interface IvsProvider extends ServiceProvider {
  /** Checks a participant token (signature, expiry, stage and participant still known) and returns its claims. */
  verifyParticipantToken(token: string): Promise<ParticipantTokenClaims>;
  /** Calls `listener` when a stage is deleted (the local stage disconnects its participants). Returns an unsubscribe. */
  onStageDeleted(listener: (stageArn: string) => void): () => void;
  /** Calls `listener` when DisconnectParticipant removes a participant. Returns an unsubscribe. */
  onParticipantDisconnected(listener: (stageArn: string, participantId: string) => void): () => void;
  /** The stage endpoints every stage reports. */
  readonly endpoints: StageEndpointUrls;
  /** Resolves when pending composition state changes have run (tests). */
  settled(): Promise<void>;
  /** Resumes the compositions that were starting, live or stopping before a restart. */
  resumeCompositions(): void;
}

const OPERATIONS: Record<string, IvsOperation> = {
  ...STAGE_OPERATIONS,
  ...COMPOSITION_OPERATIONS,
  ...CONFIGURATION_OPERATIONS,
};

const TAGS_PATH = '/tags/';

function parseBody(request: AwsRequest): Json {
  if (request.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw ivsError('SerializationException', 'The request body is not valid JSON');
  }
  return asObject(parsed);
}

function decodeArn(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw ivsError('ValidationException', 'resourceArn is not a valid IVS real-time ARN');
  }
}

/** Builds the IVS real-time provider over the state kept in `dataDir`. */
export async function createIvsProvider(options: IvsProviderOptions): Promise<IvsProvider> {
  const store = IvsStore.open(options.dataDir);
  const signer = await ParticipantTokenSigner.open(options.dataDir);
  const now = options.now ?? (() => new Date());
  const endpoints = stageEndpointUrls(options.stageBaseUrl);
  const compositions = new CompositionLifecycle({
    store,
    now,
    ...(options.recorder ? { recorder: options.recorder } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const stageListeners = new Set<(stageArn: string) => void>();
  const disconnectListeners = new Set<(stageArn: string, participantId: string) => void>();
  const context = (region: string): IvsContext => ({
    store,
    signer,
    compositions,
    endpoints,
    now,
    region,
    compositionQuota: options.compositionQuota ?? MAX_CONCURRENT_COMPOSITIONS,
    stageDeleted: (arn) => stageListeners.forEach((listener) => listener(arn)),
    participantDisconnected: (arn, participantId) => disconnectListeners.forEach((listener) => listener(arn, participantId)),
  });

  async function dispatch(request: AwsRequest): Promise<unknown> {
    const ctx = context(request.region);
    if (request.path.startsWith(TAGS_PATH)) {
      const arn = decodeArn(request.path.slice(TAGS_PATH.length));
      if (request.method === 'GET') return listTagsForResource(ctx, arn);
      if (request.method === 'POST') return tagResource(ctx, arn, parseBody(request));
      if (request.method === 'DELETE') return untagResource(ctx, arn, request.query.getAll('tagKeys'));
    }
    const operation = request.method === 'POST' ? OPERATIONS[request.path.slice(1)] : undefined;
    if (!operation) throw ivsError('UnknownOperationException', `No IVS real-time operation at ${request.method} ${request.path}`);
    return operation(ctx, parseBody(request));
  }

  if (options.resumeOnStart !== false) compositions.resume();

  return {
    resumeCompositions: () => compositions.resume(),
    signingNames: [IVS_SIGNING_NAME],
    targetPrefixes: [],
    endpoints,
    async handle(request: AwsRequest): Promise<AwsResponse> {
      try {
        return restJsonOk(await dispatch(request));
      } catch (error) {
        if (error instanceof AwsServiceError) return restJsonError(error.code, error.message, error.status);
        options.onError?.(`IVS ${request.method} ${request.path} failed`, error);
        return restJsonError('InternalServerException', 'An internal error occurred', 500);
      }
    },
    async verifyParticipantToken(token: string): Promise<ParticipantTokenClaims> {
      const claims = await signer.verify(token, now());
      if (!store.stages[claims.resource]) {
        throw new InvalidParticipantTokenError('The stage of the participant token no longer exists', 'STAGE_NOT_FOUND');
      }
      const participant = store.participants[claims.jti];
      if (participant?.stageArn !== claims.resource) {
        throw new InvalidParticipantTokenError('The participant of the token is not known to the stage', 'UNKNOWN_PARTICIPANT');
      }
      if (participant.disconnectedAt) {
        throw new InvalidParticipantTokenError('The participant has been disconnected from the stage', 'PARTICIPANT_DISCONNECTED');
      }
      return claims;
    },
    onStageDeleted(listener) {
      stageListeners.add(listener);
      return () => stageListeners.delete(listener);
    },
    onParticipantDisconnected(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
    settled: () => compositions.settled(),
    async close() {
      await compositions.settled();
    },
  };
}
