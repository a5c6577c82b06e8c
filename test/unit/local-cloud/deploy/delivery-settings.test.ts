import { describe, expect, it } from 'vitest';
import { deliverySettingsFromTemplate } from '#local-cloud/deploy/delivery-settings';
import type { CfnTemplate } from '#local-cloud/iam/cfn-template';

/** A template as CDK synthesizes one: a rule whose Lambda target has a retry policy and a DLQ, and an EventInvokeConfig. */
const TEMPLATE: CfnTemplate = {
  Resources: {
    StoppedFn1A2B: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shelcaster-controller-stopped' } },
    MeasureFn3C4D: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shelcaster-measure-track' } },
    EventsDlq5E6F: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shelcaster-events-dlq' } },
    StoppedRule7A8B: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: 'shelcaster-controller-stopped',
        Targets: [
          {
            Arn: { 'Fn::GetAtt': ['StoppedFn1A2B', 'Arn'] },
            Id: 'Target0',
            RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['EventsDlq5E6F', 'Arn'] } },
          },
        ],
      },
    },
    MeasureInvokeConfig9C0D: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: { FunctionName: { Ref: 'MeasureFn3C4D' }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 },
    },
  },
};

describe('Function: deliverySettingsFromTemplate', () => {
  const settings = deliverySettingsFromTemplate(TEMPLATE, '000000000000', 'us-east-1');

  it("reads a rule target's retry policy and dead-letter queue, references resolved to this account", () => {
    expect(settings.ruleTarget('shelcaster-controller-stopped', 'shelcaster-controller-stopped')).toEqual({
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:shelcaster-events-dlq' },
    });
  });

  it("reads a function's EventInvokeConfig", () => {
    expect(settings.asyncInvokeConfig('shelcaster-measure-track')).toEqual({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 600 });
  });

  it('has nothing for a rule, target or function the template does not configure (the services’ defaults apply)', () => {
    expect(settings.ruleTarget('shelcaster-controller-stopped', 'shelcaster-measure-track')).toEqual({});
    expect(settings.ruleTarget('no-such-rule', 'shelcaster-controller-stopped')).toEqual({});
    expect(settings.asyncInvokeConfig('shelcaster-controller-stopped')).toBeUndefined();
  });
});
