/** The SQS client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '../powertools.ts';

export const sqsClient = tracer.captureAWSv3Client(new SQSClient({}));
