import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, it } from 'vitest';
import { IdempotencyTable } from '#infra/constructs/idempotency-table';

describe('IdempotencyTable', () => {
  it('is shelcaster-idempotency keyed by id with TTL on expiration, as Powertools expects', () => {
    const stack = new Stack(new App(), 'Test');
    new IdempotencyTable(stack, 'Idempotency');
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'shelcaster-idempotency',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});
