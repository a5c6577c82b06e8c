/**
 * The table of Powertools idempotency records: partition key `id`, and DynamoDB TTL on `expiration`, the
 * attribute names Powertools' DynamoDBPersistenceLayer uses by default (contract/tables.ts).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE } from '#contract/index';
import { cdkTableKeys } from './table-definition.ts';

export class IdempotencyTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      ...cdkTableKeys(IDEMPOTENCY_TABLE),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      // Idempotency records live a day at most; nothing of value is lost with the table.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
