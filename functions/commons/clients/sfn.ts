/** The Step Functions client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../powertools.ts';

export const sfnClient = tracer.captureAWSv3Client(new SFNClient({}));
