/** The DynamoDB table of sessions, their commands and hosts' tracks, with the sessions-by-host index (contract/tables.ts). */
import { RemovalPolicy } from 'aws-cdk-lib';
import { BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { SESSIONS_TABLE } from '#contract/index';
import { cdkGlobalIndexes, cdkTableKeys } from './table-definition.ts';

export class SessionsTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      ...cdkTableKeys(SESSIONS_TABLE),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of cdkGlobalIndexes(SESSIONS_TABLE)) this.table.addGlobalSecondaryIndex(index);
  }
}
