/** The IVS real-time client, built once per container. The endpoint comes from the SDK's standard configuration. */
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { tracer } from '../powertools.ts';

export const ivsClient = tracer.captureAWSv3Client(new IVSRealTimeClient({}));
