import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CommandQueues } from '#infra/constructs/command-queues';

describe('CommandQueues', () => {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const queues = new CommandQueues(stack, 'Queues');
  const template = Template.fromStack(stack);

  it('creates the shared FIFO dead-letter queue shelcaster-program-commands-dlq.fifo, kept 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'shelcaster-program-commands-dlq.fifo',
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
      SqsManagedSseEnabled: true,
    });
  });

  it('names every session queue by the seed prefix', () => {
    expect(stack.resolve(queues.sessionQueuesArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:eu-west-1:123456789012:shelcaster-program-commands-*']],
    });
  });
});
