/**
 * The warm pool of program controllers (contract/warm-pool.ts): a custom resource whose handler is the pool's
 * function — it fills the pool when the stack is created or updated and drains it (stops every pool
 * controller, and keeps refills from running again) when the stack is deleted, so no controller outlives the
 * stack — and the EventBridge rule that refills the pool every minute. The rule depends on the custom
 * resource, so CloudFormation deletes the rule before it drains the pool.
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { WARM_POOL_REFILL_RULE_NAME, WARM_POOL_REFILL_SCHEDULE } from '#contract/index';

export interface WarmPoolProps {
  /** The pool's function (shelcaster-warm-pool). */
  target: IFunction;
  /** The pool's size: a change updates the custom resource, which refills (or trims) the pool at once. */
  size: number;
}

export class WarmPool extends Construct {
  readonly rule: Rule;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: WarmPoolProps) {
    super(scope, id);
    const provider = new Provider(this, 'Provider', { onEventHandler: props.target });
    this.resource = new CustomResource(this, 'Pool', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ShelcasterWarmPool',
      properties: { size: props.size },
    });
    this.rule = new Rule(this, 'Refill', {
      ruleName: WARM_POOL_REFILL_RULE_NAME,
      description: 'Keeps the warm pool of program controllers at its size.',
      schedule: Schedule.expression(WARM_POOL_REFILL_SCHEDULE),
      // A missed refill is made up by the next one a minute later.
      targets: [new LambdaFunction(props.target, { maxEventAge: Duration.minutes(1), retryAttempts: 0 })],
    });
    this.rule.node.addDependency(this.resource);
  }
}
