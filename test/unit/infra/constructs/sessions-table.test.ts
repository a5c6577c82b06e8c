import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SessionsTable } from '#infra/constructs/sessions-table';

describe('SessionsTable', () => {
  const stack = new Stack(new App(), 'Test');
  new SessionsTable(stack, 'Sessions');
  const template = Template.fromStack(stack);

  it('is shelcaster-sessions with string pk/sk, on demand, with point-in-time recovery, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'shelcaster-sessions',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('indexes sessions by host and creation time (byHost)', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0]!;
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byHost',
        KeySchema: [
          { AttributeName: 'hostId', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'hostId', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
      ]),
    );
  });
});
