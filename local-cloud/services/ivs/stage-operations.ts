/** CreateStage, GetStage, ListStages, DeleteStage, CreateParticipantToken and DisconnectParticipant. */
import { ivsArn, newIvsId } from './arns.ts';
import type { IvsContext, IvsOperation } from './context.ts';
import { paginate } from './pagination.ts';
import { ivsError } from './rest-json.ts';
import type { ParticipantCapability, ParticipantRecord, StageRecord } from './store.ts';
import {
  asObject,
  NAME_PATTERN,
  optionalInteger,
  optionalString,
  optionalStringMap,
  optionalTags,
  requiredArn,
  type Json,
} from './validation.ts';
import { MAX_PARTICIPANT_ATTRIBUTES_BYTES, MAX_PARTICIPANT_TOKEN_MINUTES } from '#contract/limits';

/** IVS's default token lifetime (minutes) and its limits. */
export const DEFAULT_TOKEN_MINUTES = 720;
export const MAX_USER_ID_LENGTH = 128;
/** DisconnectParticipant's limits. */
export const MAX_PARTICIPANT_ID_LENGTH = 64;
export const MAX_DISCONNECT_REASON_LENGTH = 128;
/** CreateStage accepts at most this many participant token configurations. */
export const MAX_TOKEN_CONFIGURATIONS_PER_STAGE = 12;
const CAPABILITIES: readonly ParticipantCapability[] = ['PUBLISH', 'SUBSCRIBE'];

function stageView(ctx: IvsContext, stage: StageRecord) {
  return {
    arn: stage.arn,
    name: stage.name,
    tags: stage.tags,
    ...(stage.autoParticipantRecordingConfiguration ? { autoParticipantRecordingConfiguration: stage.autoParticipantRecordingConfiguration } : {}),
    endpoints: { whip: ctx.endpoints.whip, events: ctx.endpoints.events },
  };
}

/** The stage an ARN names, or ResourceNotFoundException. */
export function existingStage(ctx: IvsContext, arn: string): StageRecord {
  const stage = ctx.store.stages[arn];
  if (!stage) throw ivsError('ResourceNotFoundException', `Stage not found: ${arn}`);
  return stage;
}

function tokenRequest(input: Json) {
  const duration = optionalInteger(input, 'duration', 1, MAX_PARTICIPANT_TOKEN_MINUTES) ?? DEFAULT_TOKEN_MINUTES;
  const userId = optionalString(input, 'userId', { max: MAX_USER_ID_LENGTH });
  const attributes = optionalStringMap(input, 'attributes') ?? {};
  const attributeBytes = Object.entries(attributes).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (attributeBytes > MAX_PARTICIPANT_ATTRIBUTES_BYTES) {
    throw ivsError('ValidationException', `attributes must not exceed ${MAX_PARTICIPANT_ATTRIBUTES_BYTES} bytes in total`);
  }
  const rawCapabilities = input.capabilities ?? [...CAPABILITIES];
  if (!Array.isArray(rawCapabilities) || rawCapabilities.length > CAPABILITIES.length) {
    throw ivsError('ValidationException', 'capabilities must be a list of PUBLISH and SUBSCRIBE');
  }
  for (const capability of rawCapabilities) {
    if (!CAPABILITIES.includes(capability as ParticipantCapability)) {
      throw ivsError('ValidationException', `capabilities must be PUBLISH or SUBSCRIBE, not ${String(capability)}`);
    }
  }
  const capabilities = [...new Set(rawCapabilities as ParticipantCapability[])];
  return { duration, userId, attributes, capabilities };
}

/** Issues a participant token for a stage and remembers its participant id (never the token). */
async function issueToken(ctx: IvsContext, stage: StageRecord, input: Json) {
  const request = tokenRequest(input);
  const issuedAt = ctx.now();
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const exp = iat + request.duration * 60;
  const participant: ParticipantRecord = {
    participantId: newIvsId(),
    stageArn: stage.arn,
    ...(request.userId !== undefined ? { userId: request.userId } : {}),
    attributes: request.attributes,
    capabilities: request.capabilities,
    duration: request.duration,
    issuedAt: issuedAt.toISOString(),
    expirationTime: new Date(exp * 1000).toISOString(),
  };
  const token = await ctx.signer.sign({
    topic: stage.id,
    resource: stage.arn,
    jti: participant.participantId,
    whip_url: ctx.endpoints.whip,
    events_url: ctx.endpoints.events,
    capabilities: {
      allow_publish: request.capabilities.includes('PUBLISH'),
      allow_subscribe: request.capabilities.includes('SUBSCRIBE'),
    },
    attributes: request.attributes,
    ...(request.userId !== undefined ? { user_id: request.userId } : {}),
    version: '1.0',
    iat,
    exp,
  });
  ctx.store.participants[participant.participantId] = participant;
  return {
    participantId: participant.participantId,
    token,
    userId: participant.userId,
    attributes: participant.attributes,
    duration: participant.duration,
    capabilities: participant.capabilities,
    expirationTime: participant.expirationTime,
  };
}

const createStage: IvsOperation = async (ctx, body) => {
  const name = optionalString(body, 'name', { max: 128, pattern: NAME_PATTERN }) ?? '';
  const tags = optionalTags(body) ?? {};
  const configurations = body.participantTokenConfigurations ?? [];
  if (!Array.isArray(configurations) || configurations.length > MAX_TOKEN_CONFIGURATIONS_PER_STAGE) {
    throw ivsError('ValidationException', `participantTokenConfigurations must be a list of at most ${MAX_TOKEN_CONFIGURATIONS_PER_STAGE}`);
  }
  const inputs = configurations.map((c, i) => asObject(c, `participantTokenConfigurations[${i}]`));
  inputs.forEach(tokenRequest); // validate every configuration before creating anything
  const recording = body.autoParticipantRecordingConfiguration;
  if (recording !== undefined && recording !== null) {
    requiredArn(asObject(recording, 'autoParticipantRecordingConfiguration'), 'storageConfigurationArn', 'storage-configuration');
  }
  const id = newIvsId();
  const stage: StageRecord = {
    arn: ivsArn(ctx.region, 'stage', id),
    id,
    name,
    tags,
    ...(recording ? { autoParticipantRecordingConfiguration: recording } : {}),
    createdAt: ctx.now().toISOString(),
  };
  ctx.store.stages[stage.arn] = stage;
  const participantTokens = [];
  for (const input of inputs) participantTokens.push(await issueToken(ctx, stage, input));
  ctx.store.save();
  return { stage: stageView(ctx, stage), participantTokens };
};

const getStage: IvsOperation = (ctx, body) => {
  const stage = existingStage(ctx, requiredArn(body, 'arn', 'stage'));
  return { stage: stageView(ctx, stage) };
};

const listStages: IvsOperation = (ctx, body) => {
  const stages = Object.values(ctx.store.stages).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.arn.localeCompare(b.arn));
  const { page, nextToken } = paginate(stages, body);
  return { stages: page.map((s) => ({ arn: s.arn, name: s.name, tags: s.tags })), nextToken };
};

const deleteStage: IvsOperation = (ctx, body) => {
  const stage = existingStage(ctx, requiredArn(body, 'arn', 'stage'));
  for (const composition of Object.values(ctx.store.compositions)) {
    if (composition.stageArn === stage.arn) ctx.compositions.stop(composition.arn);
  }
  for (const participant of Object.values(ctx.store.participants)) {
    if (participant.stageArn === stage.arn) delete ctx.store.participants[participant.participantId];
  }
  delete ctx.store.stages[stage.arn];
  ctx.store.save();
  ctx.stageDeleted(stage.arn);
  return {};
};

const createParticipantToken: IvsOperation = async (ctx, body) => {
  const stage = existingStage(ctx, requiredArn(body, 'stageArn', 'stage'));
  const participantToken = await issueToken(ctx, stage, body);
  ctx.store.save();
  return { participantToken };
};

/** DisconnectParticipant: the participant is removed from the stage and its token refused from then on. */
const disconnectParticipant: IvsOperation = (ctx, body) => {
  const stage = existingStage(ctx, requiredArn(body, 'stageArn', 'stage'));
  const participantId = optionalString(body, 'participantId', { min: 1, max: MAX_PARTICIPANT_ID_LENGTH });
  if (participantId === undefined) throw ivsError('ValidationException', 'participantId is required');
  const reason = optionalString(body, 'reason', { max: MAX_DISCONNECT_REASON_LENGTH });
  const participant = ctx.store.participants[participantId];
  if (!participant || participant.stageArn !== stage.arn) throw ivsError('ResourceNotFoundException', `Participant not found: ${participantId}`);
  participant.disconnectedAt = ctx.now().toISOString();
  if (reason !== undefined) participant.disconnectReason = reason;
  ctx.store.save();
  ctx.participantDisconnected(stage.arn, participantId);
  return {};
};

export const STAGE_OPERATIONS: Record<string, IvsOperation> = {
  CreateStage: createStage,
  GetStage: getStage,
  ListStages: listStages,
  DeleteStage: deleteStage,
  CreateParticipantToken: createParticipantToken,
  DisconnectParticipant: disconnectParticipant,
};
