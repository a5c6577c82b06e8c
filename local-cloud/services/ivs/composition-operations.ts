/** StartComposition, GetComposition, ListCompositions and StopComposition. */
import { IVS_COMPOSITION_QUOTA } from '#contract/index';
import { ivsArn, newIvsId, parseIvsArn } from './arns.ts';
import type { IvsContext, IvsOperation } from './context.ts';
import { paginate } from './pagination.ts';
import { ivsError } from './rest-json.ts';
import { existingStage } from './stage-operations.ts';
import type { CompositionRecord, DestinationConfiguration, DestinationRecord } from './store.ts';
import { asObject, checkArn, NAME_PATTERN, optionalString, optionalTags, requiredArn, type Json } from './validation.ts';

/**
 * IVS's default quota of compositions running at once in an account and region (the contract's number). An
 * operator raises it as one asks AWS (Service Quotas) to raise IVS's: the local cloud's `ivsCompositionQuota`
 * option (`SHELCASTER_IVS_COMPOSITION_QUOTA` for `npm start`).
 */
export const MAX_CONCURRENT_COMPOSITIONS = IVS_COMPOSITION_QUOTA;
/** StartComposition takes one or two destinations. */
export const MAX_DESTINATIONS = 2;
const CHANNEL_ARN_PATTERN = /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel\/[a-zA-Z0-9-]+$/;
const RUNNING_STATES = new Set(['STARTING', 'ACTIVE', 'STOPPING']);

/** The layout IVS reports when StartComposition was given none. */
const DEFAULT_LAYOUT = {
  grid: { featuredParticipantAttribute: '', gridGap: 2, omitStoppedVideo: false, videoAspectRatio: 'VIDEO', videoFillMode: '' },
};

function existingComposition(ctx: IvsContext, arn: string): CompositionRecord {
  const composition = ctx.store.compositions[arn];
  if (!composition) throw ivsError('ResourceNotFoundException', `Composition not found: ${arn}`);
  return composition;
}

function existingEncoder(ctx: IvsContext, arn: unknown, field: string): string {
  const checked = checkArn(arn, field, 'encoder-configuration');
  if (!ctx.store.encoderConfigurations[checked]) throw ivsError('ResourceNotFoundException', `Encoder configuration not found: ${checked}`);
  return checked;
}

function destinationConfiguration(ctx: IvsContext, input: Json, index: number): DestinationConfiguration {
  const field = `destinations[${index}]`;
  const name = optionalString(input, 'name', { max: 128, pattern: NAME_PATTERN }) ?? '';
  const hasChannel = input.channel !== undefined && input.channel !== null;
  const hasS3 = input.s3 !== undefined && input.s3 !== null;
  if (hasChannel === hasS3) throw ivsError('ValidationException', `${field} must name exactly one of channel or s3`);
  if (hasChannel) {
    const channel = asObject(input.channel, `${field}.channel`);
    const channelArn = optionalString(channel, 'channelArn', { min: 1, max: 128 });
    if (!channelArn || !CHANNEL_ARN_PATTERN.test(channelArn)) throw ivsError('ValidationException', `${field}.channel.channelArn is not a valid channel ARN`);
    const encoder = channel.encoderConfigurationArn;
    return {
      name,
      channel: {
        channelArn,
        ...(encoder !== undefined && encoder !== null ? { encoderConfigurationArn: existingEncoder(ctx, encoder, `${field}.channel.encoderConfigurationArn`) } : {}),
      },
    };
  }
  const s3 = asObject(input.s3, `${field}.s3`);
  const storageConfigurationArn = requiredArn(s3, 'storageConfigurationArn', 'storage-configuration');
  if (!ctx.store.storageConfigurations[storageConfigurationArn]) {
    throw ivsError('ResourceNotFoundException', `Storage configuration not found: ${storageConfigurationArn}`);
  }
  const encoders = s3.encoderConfigurationArns;
  if (!Array.isArray(encoders) || encoders.length !== 1) {
    throw ivsError('ValidationException', `${field}.s3.encoderConfigurationArns must hold exactly one encoder configuration ARN`);
  }
  const recording = asObject(s3.recordingConfiguration, `${field}.s3.recordingConfiguration`);
  const format = recording.format ?? 'HLS';
  if (format !== 'HLS') throw ivsError('ValidationException', `${field}.s3.recordingConfiguration.format must be HLS`);
  const hls = recording.hlsConfiguration === undefined || recording.hlsConfiguration === null ? undefined : asObject(recording.hlsConfiguration);
  return {
    name,
    s3: {
      storageConfigurationArn,
      encoderConfigurationArns: encoders.map((arn, i) => existingEncoder(ctx, arn, `${field}.s3.encoderConfigurationArns[${i}]`)),
      recordingConfiguration: { format: 'HLS', ...(hls ? { hlsConfiguration: hls as { targetSegmentDurationSeconds?: number } } : {}) },
      ...(Array.isArray(s3.thumbnailConfigurations) ? { thumbnailConfigurations: s3.thumbnailConfigurations } : {}),
    },
  };
}

function compositionView(composition: CompositionRecord) {
  return {
    arn: composition.arn,
    stageArn: composition.stageArn,
    state: composition.state,
    layout: composition.layout,
    destinations: composition.destinations,
    tags: composition.tags,
    startTime: composition.startTime,
    ...(composition.endTime ? { endTime: composition.endTime } : {}),
  };
}

const startComposition: IvsOperation = (ctx, body) => {
  const stageArn = requiredArn(body, 'stageArn', 'stage');
  const idempotencyToken = optionalString(body, 'idempotencyToken', { min: 1, max: 64, pattern: NAME_PATTERN });
  if (idempotencyToken !== undefined) {
    const earlier = Object.values(ctx.store.compositions).find((c) => c.idempotencyToken === idempotencyToken);
    if (earlier && earlier.stageArn !== stageArn) {
      throw ivsError('ConflictException', 'idempotencyToken was already used to start a composition of another stage');
    }
    if (earlier) return { composition: compositionView(earlier) };
  }
  const stage = existingStage(ctx, stageArn);
  const destinationsInput = body.destinations;
  if (!Array.isArray(destinationsInput) || destinationsInput.length < 1 || destinationsInput.length > MAX_DESTINATIONS) {
    throw ivsError('ValidationException', `destinations must hold between 1 and ${MAX_DESTINATIONS} destinations`);
  }
  const configurations = destinationsInput.map((d, i) => destinationConfiguration(ctx, asObject(d, `destinations[${i}]`), i));
  if (configurations.filter((c) => c.s3).length > 1) {
    throw ivsError('ValidationException', 'destinations may hold at most one s3 destination');
  }
  const layout = body.layout === undefined || body.layout === null ? DEFAULT_LAYOUT : asObject(body.layout, 'layout');
  const tags = optionalTags(body) ?? {};
  const running = Object.values(ctx.store.compositions).filter((c) => RUNNING_STATES.has(c.state)).length;
  if (running >= ctx.compositionQuota) {
    throw ivsError('ServiceQuotaExceededException', `At most ${ctx.compositionQuota} compositions can run at once`);
  }
  const id = newIvsId();
  const destinations: DestinationRecord[] = configurations.map((configuration) => {
    const destinationId = newIvsId();
    return {
      id: destinationId,
      state: 'STARTING',
      configuration,
      ...(configuration.s3 ? { detail: { s3: { recordingPrefix: `${stage.id}/${id}/${destinationId}/composite` } } } : {}),
    };
  });
  const composition: CompositionRecord = {
    arn: ivsArn(ctx.region, 'composition', id),
    id,
    stageArn,
    state: 'STARTING',
    layout,
    destinations,
    tags,
    startTime: ctx.now().toISOString(),
    ...(idempotencyToken !== undefined ? { idempotencyToken } : {}),
  };
  ctx.store.compositions[composition.arn] = composition;
  ctx.store.save();
  const view = structuredClone(compositionView(composition));
  ctx.compositions.begin(composition.arn);
  return { composition: view };
};

const getComposition: IvsOperation = (ctx, body) => ({
  composition: compositionView(existingComposition(ctx, requiredArn(body, 'arn', 'composition'))),
});

const listCompositions: IvsOperation = (ctx, body) => {
  const byStage = body.filterByStageArn ? requiredArn(body, 'filterByStageArn', 'stage') : undefined;
  const byEncoder = body.filterByEncoderConfigurationArn ? requiredArn(body, 'filterByEncoderConfigurationArn', 'encoder-configuration') : undefined;
  const compositions = Object.values(ctx.store.compositions)
    .filter((c) => !byStage || c.stageArn === byStage)
    .filter(
      (c) =>
        !byEncoder ||
        c.destinations.some(
          (d) => d.configuration.s3?.encoderConfigurationArns.includes(byEncoder) || d.configuration.channel?.encoderConfigurationArn === byEncoder,
        ),
    )
    .sort((a, b) => a.startTime.localeCompare(b.startTime) || a.arn.localeCompare(b.arn));
  const { page, nextToken } = paginate(compositions, body);
  return {
    compositions: page.map((c) => ({
      arn: c.arn,
      stageArn: c.stageArn,
      state: c.state,
      destinations: c.destinations.map((d) => ({
        id: d.id,
        state: d.state,
        ...(d.startTime ? { startTime: d.startTime } : {}),
        ...(d.endTime ? { endTime: d.endTime } : {}),
      })),
      tags: c.tags,
      startTime: c.startTime,
      ...(c.endTime ? { endTime: c.endTime } : {}),
    })),
    nextToken,
  };
};

const stopComposition: IvsOperation = (ctx, body) => {
  const composition = existingComposition(ctx, requiredArn(body, 'arn', 'composition'));
  ctx.compositions.stop(composition.arn);
  return {};
};

/** Whether a storage or encoder configuration is used by a composition that still runs. */
export function usedByRunningComposition(ctx: IvsContext, configurationArn: string): boolean {
  const kind = parseIvsArn(configurationArn)?.type;
  return Object.values(ctx.store.compositions).some(
    (c) =>
      RUNNING_STATES.has(c.state) &&
      c.destinations.some((d) =>
        kind === 'storage-configuration'
          ? d.configuration.s3?.storageConfigurationArn === configurationArn
          : d.configuration.s3?.encoderConfigurationArns.includes(configurationArn) || d.configuration.channel?.encoderConfigurationArn === configurationArn,
      ),
  );
}

export const COMPOSITION_OPERATIONS: Record<string, IvsOperation> = {
  StartComposition: startComposition,
  GetComposition: getComposition,
  ListCompositions: listCompositions,
  StopComposition: stopComposition,
};
