/** The EventBridge client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from '../powertools.ts';

export const eventBridgeClient = tracer.captureAWSv3Client(new EventBridgeClient({}));
