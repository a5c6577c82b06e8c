/** Starts the composition that records a session's stage to S3. */
import { StartCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { SESSION_TAG_KEY } from '#contract/index';
import { ivsClient } from '#clients/ivs';

/** The IVS configurations the recording uses (from the function's environment). */
export interface RecordingConfiguration {
  storageConfigurationArn: string;
  encoderConfigurationArn: string;
}

/** Calls StartComposition with an S3 (HLS) destination; returns its ARN and recording prefix. */
export async function startRecordingComposition(
  sessionId: string,
  stageArn: string,
  configuration: RecordingConfiguration,
  idempotencyToken: string,
): Promise<{ compositionArn: string; recordingPrefix?: string }> {
  const { composition } = await ivsClient.send(
    new StartCompositionCommand({
      stageArn,
      idempotencyToken,
      destinations: [
        {
          s3: {
            storageConfigurationArn: configuration.storageConfigurationArn,
            encoderConfigurationArns: [configuration.encoderConfigurationArn],
            recordingConfiguration: { format: 'HLS' },
          },
        },
      ],
      tags: { [SESSION_TAG_KEY]: sessionId },
    }),
  );
  if (!composition?.arn) throw new Error('StartComposition returned no composition ARN');
  const recordingPrefix = composition.destinations?.find((d) => d.detail?.s3?.recordingPrefix)?.detail?.s3?.recordingPrefix;
  return recordingPrefix ? { compositionArn: composition.arn, recordingPrefix } : { compositionArn: composition.arn };
}
