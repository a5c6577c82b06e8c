/**
 * The controller's AWS clients. Endpoints come only from the SDK's standard configuration
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface ControllerClients {
  ivs: IVSRealTimeClient;
  sqs: SQSClient;
  sfn: SFNClient;
  s3: S3Client;
  doc: DynamoDBDocumentClient;
}

/** Builds one client per service. */
export function createControllerClients(): ControllerClients {
  return {
    ivs: new IVSRealTimeClient({}),
    sqs: new SQSClient({}),
    sfn: new SFNClient({}),
    s3: new S3Client({}),
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  };
}
