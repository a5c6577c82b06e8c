/** DynamoDB clients, built once per container. The endpoint comes from the SDK's standard configuration. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../powertools.ts';

/** The low-level client (the Powertools idempotency store uses it). */
export const dynamoDbClient = tracer.captureAWSv3Client(new DynamoDBClient({}));

/** The document client every repository uses. */
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
