/**
 * IVS real-time recording: the storage configuration that writes compositions into the media bucket and the
 * encoder configuration of the composition (L1 constructs; there is no L2 for IVS real-time).
 *
 * IVS adds its own statement to the bucket policy when the storage configuration is created, so the storage
 * configuration is created after the bucket policy CloudFormation manages (enforce SSL). A later change of that
 * bucket policy by CloudFormation replaces IVS's statement: re-create the storage configuration then
 * (docs/deploy.md).
 */
import { CfnEncoderConfiguration, CfnStorageConfiguration } from 'aws-cdk-lib/aws-ivs';
import { Construct } from 'constructs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { COMPOSITION_VIDEO, IVS_ENCODER_CONFIGURATION_NAME, IVS_STORAGE_CONFIGURATION_NAME } from '#contract/index';

export interface IvsRecordingProps {
  bucket: Bucket;
}

export class IvsRecording extends Construct {
  readonly storageConfigurationArn: string;
  readonly encoderConfigurationArn: string;

  constructor(scope: Construct, id: string, props: IvsRecordingProps) {
    super(scope, id);
    const storage = new CfnStorageConfiguration(this, 'StorageConfiguration', {
      name: IVS_STORAGE_CONFIGURATION_NAME,
      s3: { bucketName: props.bucket.bucketName },
    });
    if (props.bucket.policy) storage.node.addDependency(props.bucket.policy);
    const encoder = new CfnEncoderConfiguration(this, 'EncoderConfiguration', {
      name: IVS_ENCODER_CONFIGURATION_NAME,
      video: { ...COMPOSITION_VIDEO },
    });
    this.storageConfigurationArn = storage.attrArn;
    this.encoderConfigurationArn = encoder.attrArn;
  }
}
