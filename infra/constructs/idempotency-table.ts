/**
 * The table of Powertools idempotency records: partition key `id`, and DynamoDB TTL on `expiration`,
 * the attribute names Powertools' DynamoDBPersistenceLayer uses by default.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE_NAME } from '#contract/index';

/** Attribute names of Powertools' DynamoDB persistence layer (its defaults). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'id';
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiration';

export class IdempotencyTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: IDEMPOTENCY_TABLE_NAME,
      partitionKey: { name: IDEMPOTENCY_KEY_ATTRIBUTE, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      // Idempotency records live a day at most; nothing of value is lost with the table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
