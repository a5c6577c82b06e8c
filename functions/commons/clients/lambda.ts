/** The Lambda client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../powertools.ts';

export const lambdaClient = tracer.captureAWSv3Client(new LambdaClient({}));
