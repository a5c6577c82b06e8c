/** Storage and encoder configurations: Create, Get, List, Delete. */
import { ivsArn, newIvsId } from './arns.ts';
import { usedByRunningComposition } from './composition-operations.ts';
import type { IvsOperation } from './context.ts';
import { paginate } from './pagination.ts';
import { ivsError } from './rest-json.ts';
import type { EncoderConfigurationRecord, StorageConfigurationRecord } from './store.ts';
import { asObject, NAME_PATTERN, optionalInteger, optionalString, optionalTags, requiredArn } from './validation.ts';

/** S3 bucket names as S3 allows them. */
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** IVS's encoder defaults and limits (pixels, frames per second, bits per second). */
export const DEFAULT_VIDEO = { width: 1280, height: 720, framerate: 30, bitrate: 2_500_000 } as const;

const createStorageConfiguration: IvsOperation = (ctx, body) => {
  const name = optionalString(body, 'name', { max: 128, pattern: NAME_PATTERN }) ?? '';
  if (body.s3 === undefined || body.s3 === null) throw ivsError('ValidationException', 's3 is required');
  const bucketName = optionalString(asObject(body.s3, 's3'), 'bucketName', { min: 3, max: 63 });
  if (!bucketName || !BUCKET_NAME_PATTERN.test(bucketName)) throw ivsError('ValidationException', 's3.bucketName is not a valid bucket name');
  const record: StorageConfigurationRecord = {
    arn: ivsArn(ctx.region, 'storage-configuration', newIvsId()),
    name,
    s3: { bucketName },
    tags: optionalTags(body) ?? {},
  };
  ctx.store.storageConfigurations[record.arn] = record;
  ctx.store.save();
  return { storageConfiguration: record };
};

const getStorageConfiguration: IvsOperation = (ctx, body) => {
  const arn = requiredArn(body, 'arn', 'storage-configuration');
  const record = ctx.store.storageConfigurations[arn];
  if (!record) throw ivsError('ResourceNotFoundException', `Storage configuration not found: ${arn}`);
  return { storageConfiguration: record };
};

const listStorageConfigurations: IvsOperation = (ctx, body) => {
  const { page, nextToken } = paginate(Object.values(ctx.store.storageConfigurations), body);
  return { storageConfigurations: page, nextToken };
};

const deleteStorageConfiguration: IvsOperation = (ctx, body) => {
  const arn = requiredArn(body, 'arn', 'storage-configuration');
  if (!ctx.store.storageConfigurations[arn]) throw ivsError('ResourceNotFoundException', `Storage configuration not found: ${arn}`);
  if (usedByRunningComposition(ctx, arn)) throw ivsError('ConflictException', 'The storage configuration is used by a running composition');
  delete ctx.store.storageConfigurations[arn];
  ctx.store.save();
  return {};
};

const createEncoderConfiguration: IvsOperation = (ctx, body) => {
  const name = optionalString(body, 'name', { max: 128, pattern: NAME_PATTERN }) ?? '';
  const video = asObject(body.video, 'video');
  const width = optionalInteger(video, 'width', 2, 1920) ?? DEFAULT_VIDEO.width;
  const height = optionalInteger(video, 'height', 2, 1920) ?? DEFAULT_VIDEO.height;
  if (width % 2 !== 0 || height % 2 !== 0) throw ivsError('ValidationException', 'video.width and video.height must be even');
  const framerate = video.framerate ?? DEFAULT_VIDEO.framerate;
  if (typeof framerate !== 'number' || framerate < 1 || framerate > 60) throw ivsError('ValidationException', 'video.framerate must be between 1 and 60');
  const bitrate = optionalInteger(video, 'bitrate', 1, 8_500_000) ?? DEFAULT_VIDEO.bitrate;
  const record: EncoderConfigurationRecord = {
    arn: ivsArn(ctx.region, 'encoder-configuration', newIvsId()),
    name,
    video: { width, height, framerate, bitrate },
    tags: optionalTags(body) ?? {},
  };
  ctx.store.encoderConfigurations[record.arn] = record;
  ctx.store.save();
  return { encoderConfiguration: record };
};

const getEncoderConfiguration: IvsOperation = (ctx, body) => {
  const arn = requiredArn(body, 'arn', 'encoder-configuration');
  const record = ctx.store.encoderConfigurations[arn];
  if (!record) throw ivsError('ResourceNotFoundException', `Encoder configuration not found: ${arn}`);
  return { encoderConfiguration: record };
};

const listEncoderConfigurations: IvsOperation = (ctx, body) => {
  const { page, nextToken } = paginate(Object.values(ctx.store.encoderConfigurations), body);
  return { encoderConfigurations: page.map(({ arn, name, tags }) => ({ arn, name, tags })), nextToken };
};

const deleteEncoderConfiguration: IvsOperation = (ctx, body) => {
  const arn = requiredArn(body, 'arn', 'encoder-configuration');
  if (!ctx.store.encoderConfigurations[arn]) throw ivsError('ResourceNotFoundException', `Encoder configuration not found: ${arn}`);
  if (usedByRunningComposition(ctx, arn)) throw ivsError('ConflictException', 'The encoder configuration is used by a running composition');
  delete ctx.store.encoderConfigurations[arn];
  ctx.store.save();
  return {};
};

export const CONFIGURATION_OPERATIONS: Record<string, IvsOperation> = {
  CreateStorageConfiguration: createStorageConfiguration,
  GetStorageConfiguration: getStorageConfiguration,
  ListStorageConfigurations: listStorageConfigurations,
  DeleteStorageConfiguration: deleteStorageConfiguration,
  CreateEncoderConfiguration: createEncoderConfiguration,
  GetEncoderConfiguration: getEncoderConfiguration,
  ListEncoderConfigurations: listEncoderConfigurations,
  DeleteEncoderConfiguration: deleteEncoderConfiguration,
};
