/** The ECS client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { ECSClient } from '@aws-sdk/client-ecs';
import { tracer } from '../powertools.ts';

export const ecsClient = tracer.captureAWSv3Client(new ECSClient({}));
