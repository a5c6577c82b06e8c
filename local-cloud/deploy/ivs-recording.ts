/**
 * The IVS recording configurations (infra/constructs/ivs-recording.ts): the storage configuration that
 * writes composition recordings into the media bucket, and the composition's encoder configuration.
 */
import {
  CreateEncoderConfigurationCommand,
  CreateStorageConfigurationCommand,
  GetEncoderConfigurationCommand,
  GetStorageConfigurationCommand,
  ListEncoderConfigurationsCommand,
  ListStorageConfigurationsCommand,
  type IVSRealTimeClient,
} from '@aws-sdk/client-ivs-realtime';
import { COMPOSITION_VIDEO, IVS_ENCODER_CONFIGURATION_NAME, IVS_STORAGE_CONFIGURATION_NAME } from '#contract/index';

export interface LocalIvsRecording {
  storageConfigurationArn: string;
  encoderConfigurationArn: string;
}

/** Creates (or finds, by name) both configurations. */
export async function deployIvsRecording(ivs: IVSRealTimeClient, bucketName: string): Promise<LocalIvsRecording> {
  return {
    storageConfigurationArn: await ensureStorageConfiguration(ivs, bucketName),
    encoderConfigurationArn: await ensureEncoderConfiguration(ivs),
  };
}

async function ensureStorageConfiguration(ivs: IVSRealTimeClient, bucketName: string): Promise<string> {
  const known = await findByName(ivs, 'storage', IVS_STORAGE_CONFIGURATION_NAME);
  if (known) return known;
  const created = await ivs.send(new CreateStorageConfigurationCommand({ name: IVS_STORAGE_CONFIGURATION_NAME, s3: { bucketName } }));
  const arn = created.storageConfiguration?.arn;
  if (!arn) throw new Error('CreateStorageConfiguration returned no ARN');
  return arn;
}

async function ensureEncoderConfiguration(ivs: IVSRealTimeClient): Promise<string> {
  const known = await findByName(ivs, 'encoder', IVS_ENCODER_CONFIGURATION_NAME);
  if (known) return known;
  const created = await ivs.send(new CreateEncoderConfigurationCommand({ name: IVS_ENCODER_CONFIGURATION_NAME, video: { ...COMPOSITION_VIDEO } }));
  const arn = created.encoderConfiguration?.arn;
  if (!arn) throw new Error('CreateEncoderConfiguration returned no ARN');
  return arn;
}

/** Finds a configuration by name through its list operation. */
async function findByName(ivs: IVSRealTimeClient, kind: 'storage' | 'encoder', name: string): Promise<string | undefined> {
  if (kind === 'storage') {
    const list = await ivs.send(new ListStorageConfigurationsCommand({}));
    const arn = list.storageConfigurations?.find((c) => c.name === name)?.arn;
    if (arn) await ivs.send(new GetStorageConfigurationCommand({ arn }));
    return arn;
  }
  const list = await ivs.send(new ListEncoderConfigurationsCommand({}));
  const arn = list.encoderConfigurations?.find((c) => c.name === name)?.arn;
  if (arn) await ivs.send(new GetEncoderConfigurationCommand({ arn }));
  return arn;
}
